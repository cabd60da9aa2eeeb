"""Content-Security-Policy on every HTML page, and the host-header guard.

Reader-facing HTML (articles, archives, comments) runs no script of its own and uses no
inline style, so the policy can be strict: only this origin (and the media origin, when
media is served from another host) for everything, no plugins, no framing, forms posting only
here. The JSON-LD block is data (``type="application/ld+json"``), which CSP does not block.

The admin and the API docs get the same policy for scripts (``script-src 'self'``: Django's
admin has no inline script, and the docs are served by drf-spectacular's split view, whose
start-up script is a separate same-origin file); only their styles may be inline, because
their widgets set ``style`` attributes.
"""

from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest, DisallowedHost
from django.http import Http404, JsonResponse
from django.http.request import split_domain_port, validate_host

NUL_MESSAGE = "Null characters are not allowed."

INLINE_STYLE_PREFIXES = ("/admin/", "/api/")


def _media_origin() -> str:
    parts = urlsplit(settings.MEDIA_URL)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(*, inline_styles: bool = False) -> str:
    media = _media_origin()
    images = " ".join(filter(None, ["'self'", "data:", media]))
    return "; ".join(
        [
            "default-src 'self'",
            f"img-src {images}",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'" if inline_styles else "style-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()
        self.tool_policy = content_security_policy(inline_styles=True)

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            tool = request.path.startswith(INLINE_STYLE_PREFIXES)
            response.setdefault("Content-Security-Policy", self.tool_policy if tool else self.policy)
        return response


class HostHeaderMiddleware:
    """Refuse (400) a request whose ``Host`` or ``X-Forwarded-Host`` names a host outside
    ``ALLOWED_HOSTS``, before any view runs.

    Django checks ``Host`` only when something calls ``request.get_host()`` and ignores
    ``X-Forwarded-Host`` unless ``USE_X_FORWARDED_HOST`` is on. A proxy that passes a
    client's ``X-Forwarded-Host`` through, or a future switch of that setting, would let
    ``evil.example`` into absolute URLs (password reset mails, feeds, canonical links). So
    both headers are checked here, always; a forged value is a ``DisallowedHost``
    (``SuspiciousOperation``), which Django logs on ``django.security`` and answers 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.get_host()  # raises DisallowedHost for a Host outside ALLOWED_HOSTS
        forwarded = request.META.get("HTTP_X_FORWARDED_HOST")
        if forwarded is not None:
            allowed = settings.ALLOWED_HOSTS
            if settings.DEBUG and not allowed:
                allowed = [".localhost", "127.0.0.1", "[::1]"]
            for value in forwarded.split(","):
                domain, _port = split_domain_port(value.strip())
                if not domain or not validate_host(domain, allowed):
                    raise DisallowedHost(f"Invalid X-Forwarded-Host header: {value.strip()!r}.")
        return self.get_response(request)


class NulByteMiddleware:
    """Refuse (400) a NUL character in the path, the query string or any header.

    PostgreSQL cannot store or compare text containing NUL (``\x00``): left to reach a query,
    it is a 500 wherever a value meets the database (slugs in paths, filters, search, cursors).
    No legitimate URL or header carries one, so it is refused here once for every view: 400
    for the query string (under /api/ as ``{"param": ["Null characters are not allowed."]}``)
    and headers, 404 for an API path and 400 for other paths. API bodies are checked by ``articles.api.parsers``; forms
    refuse NUL in their text fields.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query:
            names = sorted({name for name, value in parse_qsl(query, keep_blank_values=True) if "\x00" in name + value})
            if request.path.startswith("/api/"):  # the API's own shape: {"field": ["message"]}
                return JsonResponse({name: [NUL_MESSAGE] for name in names} or {"detail": NUL_MESSAGE}, status=400)
            raise BadRequest(f"NUL characters are not allowed in the address ({', '.join(names)}).")
        if "\x00" in request.path_info:
            if request.path.startswith("/api/"):  # no resource has such an id: the API's 404
                raise Http404("NUL characters are not allowed in the address.")
            # Pages: 400 (the 404 page needs the request's site, set by a later middleware).
            raise BadRequest("NUL characters are not allowed in the address.")
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                raise BadRequest("NUL characters are not allowed in headers.")
        return self.get_response(request)
