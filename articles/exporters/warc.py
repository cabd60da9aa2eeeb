"""A web archive (WARC 1.1, gzipped per record) of the public article pages and their pictures.

Each published article's page is rendered by the project itself — a request through the
whole middleware and view stack with Django's test ``Client``, for the article's own site
(``Host`` is the site's domain) — and stored as a ``request``/``response`` pair with the
real status line, headers and bytes. Every picture the page shows (``src`` and ``srcset``
under ``MEDIA_URL``, and rendition URLs, whose redirect is stored too) is stored once as a
response with the file's bytes from the media storage. Records carry SHA-1 block and
payload digests (warcio), so ``warcio check`` can verify them.

Rendering happens offline, for the site's own host, so the site domains are added to
``ALLOWED_HOSTS`` for the duration of the export only.
"""

import io
import mimetypes
import re
from collections.abc import Iterable
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.files.storage import default_storage
from django.test import Client
from django.test.utils import override_settings
from django.utils.http import http_date
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ..models import Article

MEDIA_REFERENCE = re.compile(r'(?:src|srcset)="([^"]+)"')
MAX_REDIRECTS = 3


def _status_line(response) -> str:
    try:
        reason = response.reason_phrase or HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = "Unknown"
    return f"{response.status_code} {reason}"


class WarcExporter:
    """Writes the archive to a binary stream; call ``page(article)`` for each article."""

    def __init__(self, out, *, scheme: str = "https", filename: str = "articles.warc.gz"):
        self.writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
        self.scheme = scheme
        self.client = Client(raise_request_exception=False)
        self.written: set[str] = set()
        self.pages = self.files = 0
        self.writer.write_record(
            self.writer.create_warcinfo_record(
                filename,
                {
                    "software": "newsroom export_articles (warcio)",
                    "format": "WARC File Format 1.1",
                    "description": "Public article pages and their pictures, rendered by the archive itself.",
                },
            )
        )

    # --- Records -------------------------------------------------------------------------

    def _pair(self, uri: str, host: str, status_line: str, headers: list, content: bytes) -> None:
        path = urlsplit(uri).path or "/"
        query = urlsplit(uri).query
        request = self.writer.create_warc_record(
            uri,
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"GET {path}{'?' + query if query else ''} HTTP/1.1",
                [("Host", host), ("User-Agent", "newsroom-export")],
                is_http_request=True,
            ),
        )
        response = self.writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(content),
            length=None,
            http_headers=StatusAndHeaders(status_line, headers, protocol="HTTP/1.1"),
        )
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        self.writer.write_record(response)
        self.writer.write_record(request)
        self.written.add(uri)

    def _response(self, uri: str, host: str, response) -> None:
        headers = [(name, value) for name, value in response.items() if name.lower() != "content-length"]
        content = response.content
        headers.append(("Content-Length", str(len(content))))
        self._pair(uri, host, _status_line(response), headers, content)

    def _media_file(self, uri: str, host: str, name: str) -> bool:
        """Store the media file ``name`` as the response at ``uri``; False if it is missing."""
        if uri in self.written:
            return True
        try:
            with default_storage.open(name, "rb") as stream:
                content = stream.read()
        except (FileNotFoundError, OSError, ValueError):
            return False
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(content))),
            ("Date", http_date()),
        ]
        self._pair(uri, host, "200 OK", headers, content)
        self.files += 1
        return True

    # --- Pages ---------------------------------------------------------------------------

    def _base(self, site: Site) -> str:
        return f"{self.scheme}://{site.domain}"

    def _picture(self, reference: str, site: Site, page_uri: str, hops: int = 0) -> None:
        """Store the picture at ``reference`` (a URL in the page) and any redirect to it."""
        uri = urljoin(page_uri, reference)
        if uri in self.written:
            return
        parts = urlsplit(uri)
        media_url = settings.MEDIA_URL
        if media_url.startswith(("http://", "https://")):
            if uri.startswith(media_url):
                self._media_file(uri, site.domain, uri[len(media_url) :])
            return
        if parts.netloc != site.domain:
            return
        if parts.path.startswith(media_url):
            self._media_file(uri, site.domain, parts.path[len(media_url) :])
            return
        if hops >= MAX_REDIRECTS:
            return
        # Another path on the site (a rendition URL): ask the site, keep its answer.
        response = self.client.get(parts.path, HTTP_HOST=site.domain, secure=self.scheme == "https")
        if response.status_code in {301, 302, 303, 307, 308} or response.status_code == 200:
            self._response(uri, site.domain, response)
        if response.status_code in {301, 302, 303, 307, 308} and response.get("Location"):
            self._picture(response["Location"], site, uri, hops + 1)

    def page(self, article: Article) -> int:
        """Render and store ``article``'s public page and its pictures; return the status."""
        site = article.site
        uri = self._base(site) + article.get_absolute_url()
        response = self.client.get(article.get_absolute_url(), HTTP_HOST=site.domain, secure=self.scheme == "https")
        self._response(uri, site.domain, response)
        self.pages += 1
        if response.status_code == 200:
            html = response.content.decode(response.charset or "utf-8", errors="replace")
            for match in MEDIA_REFERENCE.finditer(html):
                for candidate in match[1].split(","):
                    reference = candidate.strip().split(" ")[0]
                    if reference:
                        self._picture(reference.replace("&amp;", "&"), site, uri)
            for placement in article.placements.all():
                image = placement.image
                if image.file:
                    url = image.file.url
                    self._media_file(urljoin(uri, url), site.domain, image.file.name)
        return response.status_code


def export_overrides():
    """Settings for rendering offline: every site's domain is an allowed host."""
    hosts = {domain.split(":")[0] for domain in Site.objects.values_list("domain", flat=True)}
    return override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, *sorted(hosts)])


def write_warc(articles: Iterable[Article], out, *, scheme: str = "https", on_item=None) -> WarcExporter:
    """Write the pages of ``articles`` (and their pictures) to the binary stream ``out``.
    ``on_item(article, status)`` is called after each page."""
    with export_overrides():
        exporter = WarcExporter(out, scheme=scheme)
        for article in articles:
            status = exporter.page(article)
            if on_item is not None:
                on_item(article, status)
    return exporter
