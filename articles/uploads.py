"""The upload size guard: a file upload bigger than ``NEWSROOM["MAX_UPLOAD_BYTES"]`` is
refused before its body is read, so a 30 MB post costs neither the memory nor the temporary
file nor the time to receive it (Wagtail CVE-2023-28837).

``UploadLimitMiddleware`` runs before anything reads the body (CSRF, sessions, DRF):

* a multipart request whose ``Content-Length`` says more than the limit answers 413 at once,
  with a JSON ``detail`` under ``/api/`` and a short text elsewhere;
* every other multipart request gets ``CountingUploadHandler`` in front of Django's upload
  handlers: it counts the file bytes as they stream in and stops the parse with
  ``RequestDataTooBig`` (400) the moment they pass the limit. Under WSGI the body cannot
  outgrow its ``Content-Length`` (Django reads no further), so this is the second line, for
  servers that hand over a body without one. It also refuses (400) a body that ends before
  the multipart's closing boundary: a client that lied about the length, or went away
  half-way, would otherwise have Django keep the part received as if it were the file.
  Under ``/api/`` both 400s are JSON with the reason (``process_exception``).

The reverse proxy should refuse bigger bodies first (nginx ``client_max_body_size``, see
docs/deployment.md); this guard holds when the app is reached some other way.
"""

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse

from .handlers import _is_api

TOO_LARGE = "The upload is too large ({size} bytes); the limit is {limit} bytes."
CUT_SHORT = "The upload ended before its last part: it was cut short. Send it again."


class UploadCutShort(BadRequest):
    """The multipart body ended without its closing boundary (400)."""


class _TailRecorder:
    """A request body stream that remembers the last bytes read from it."""

    def __init__(self, stream):
        self.stream = stream
        self.tail = b""

    def _keep(self, data: bytes) -> bytes:
        self.tail = (self.tail + data)[-512:]
        return data

    def read(self, *args, **kwargs) -> bytes:
        return self._keep(self.stream.read(*args, **kwargs))

    def readline(self, *args, **kwargs) -> bytes:
        return self._keep(self.stream.readline(*args, **kwargs))


def upload_limit() -> int:
    return settings.NEWSROOM["MAX_UPLOAD_BYTES"]


class CountingUploadHandler(FileUploadHandler):
    """Counts file bytes across the request; raises ``RequestDataTooBig`` past the limit.
    Passes every chunk on to the next handler."""

    def __init__(self, request=None, recorder: _TailRecorder | None = None):
        super().__init__(request)
        self.received = 0
        self.limit = upload_limit()
        self.recorder = recorder
        self.boundary = b""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.boundary = boundary or b""
        return None

    def upload_complete(self):
        ended = self.recorder is None or b"--" + self.boundary + b"--" in self.recorder.tail
        if self.boundary and not ended:
            raise UploadCutShort(CUT_SHORT)
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            # The handlers after this one may hold the file begun so far (a temporary
            # file on disk): drop it now rather than when the request is collected.
            for handler in getattr(self.request, "upload_handlers", ()):
                partial = getattr(handler, "file", None)
                if handler is not self and partial is not None:
                    partial.close()
            raise RequestDataTooBig(TOO_LARGE.format(size=f"more than {self.limit}", limit=self.limit))
        return raw_data

    def file_complete(self, file_size):
        return None


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type == "multipart/form-data":
            limit = upload_limit()
            size = _declared_length(request)
            if size > limit:
                message = TOO_LARGE.format(size=size, limit=limit)
                if _is_api(request):
                    response = JsonResponse({"detail": message}, status=413)
                else:
                    response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
                return response
            recorder = None
            if hasattr(request, "_stream"):
                recorder = request._stream = _TailRecorder(request._stream)
            request.upload_handlers.insert(0, CountingUploadHandler(request, recorder))
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A body refused by ``CountingUploadHandler`` while a view parsed it (DRF parses in
        the view) answers JSON under /api/, with the reason; elsewhere Django's 400 page."""
        if isinstance(exception, UploadCutShort | RequestDataTooBig) and _is_api(request):
            return JsonResponse({"detail": str(exception)}, status=400)
        return None
