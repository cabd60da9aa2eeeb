"""Render a public page exactly as Django serves it to an anonymous reader.

The page is requested through Django's own request handling (``BaseHandler`` with the
project's middleware, URL resolution and the real view), with the site's domain as
``Host`` and the scheme readers use, so the baked bytes are the bytes Django would send.
The request is marked (``BAKING``) so the page cache neither answers it nor stores it:
what is baked is always rendered from the database as it is after the change committed,
and the view's own freshness (``archive_fresh_for``) is there to read.
"""

import io
import logging
import sys

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.urls import Resolver404, resolve

# Set in the WSGI environ of a baking request (read by pagecache._may_use_cache).
BAKING = "newsroom.baking"

# The pages that are baked: first pages of the front page, date archives and feeds, and
# article pages. Anything else (revisions, search, previews, subjects, sitemaps) is not.
BAKED_VIEWS = frozenset(
    {
        "articles:front",
        "articles:detail",
        "articles:archive-year",
        "articles:archive-month",
        "articles:archive-day",
        "articles:feed-rss",
        "articles:feed-atom",
    }
)
ARTICLE_VIEW = "articles:detail"

_handler = None


class _NotBakingRequests(logging.Filter):
    """Keep "Not Found" warnings for pages the baker removes out of the request log."""

    def filter(self, record):
        request = getattr(record, "request", None)
        return not (request is not None and getattr(request, "META", {}).get(BAKING))


logging.getLogger("django.request").addFilter(_NotBakingRequests())


def _get_handler() -> BaseHandler:
    global _handler
    if _handler is None:
        handler = BaseHandler()
        handler.load_middleware()
        _handler = handler
    return _handler


def view_name(url_path: str) -> str | None:
    """The baked view ``url_path`` resolves to, or None (not a page that is baked)."""
    if not url_path.startswith("/") or not url_path.endswith("/") or "\x00" in url_path:
        return None
    if any(part in {".", ".."} or part.startswith(".") for part in url_path.split("/")):
        return None
    try:
        match = resolve(url_path)
    except Resolver404:
        return None
    return match.view_name if match.view_name in BAKED_VIEWS else None


def scheme() -> str:
    """The scheme readers use: https in production (behind a TLS proxy, or redirecting to
    https), http in development."""
    secure = getattr(settings, "SECURE_SSL_REDIRECT", False) or getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    return "https" if secure else "http"


def render(domain: str, url_path: str):
    """GET ``url_path`` on ``domain`` anonymously; return Django's response."""
    secure = scheme() == "https"
    host = domain
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": url_path.encode("utf-8").decode("iso-8859-1"),
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": host.split(":")[0],
        "SERVER_PORT": "443" if secure else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        BAKING: True,
    }
    if secure and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    request = WSGIRequest(environ)
    return _get_handler().get_response(request)
