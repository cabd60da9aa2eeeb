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
  servers that hand over a body without one.

The reverse proxy should refuse bigger bodies first (nginx ``client_max_body_size``, see
docs/deployment.md); this guard holds when the app is reached some other way.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse

TOO_LARGE = "The upload is too large ({size} bytes); the limit is {limit} bytes."


def upload_limit() -> int:
    return settings.NEWSROOM["MAX_UPLOAD_BYTES"]


class CountingUploadHandler(FileUploadHandler):
    """Counts file bytes across the request; raises ``RequestDataTooBig`` past the limit.
    Passes every chunk on to the next handler."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.limit = upload_limit()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
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
                if request.path.startswith("/api/"):
                    response = JsonResponse({"detail": message}, status=413)
                else:
                    response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
                return response
            request.upload_handlers.insert(0, CountingUploadHandler(request))
        return self.get_response(request)
