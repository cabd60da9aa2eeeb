"""Content-Security-Policy for the public pages.

Reader-facing HTML (articles, archives, comments) runs no script of its own and uses no
inline style, so the policy can be strict: only this origin (and the media origin, when
media is served from another host) for everything, no plugins, no framing, forms posting only
here. The JSON-LD block is data (``type="application/ld+json"``), which CSP does not block.
The admin and the API docs (Swagger UI needs an inline bootstrap script) keep Django's own
headers without this policy.
"""

from urllib.parse import urlsplit

from django.conf import settings

EXEMPT_PREFIXES = ("/admin/", "/api/")


def _media_origin() -> str:
    parts = urlsplit(settings.MEDIA_URL)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    media = _media_origin()
    images = " ".join(filter(None, ["'self'", "data:", media]))
    return "; ".join(
        [
            "default-src 'self'",
            f"img-src {images}",
            "script-src 'self'",
            "style-src 'self'",
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

    def __call__(self, request):
        response = self.get_response(request)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if is_html and not request.path.startswith(EXEMPT_PREFIXES):
            response.setdefault("Content-Security-Policy", self.policy)
        return response
