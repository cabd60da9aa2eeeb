"""Web archives (WARC, plain or gzipped), read with ``warcio``.

Every HTML response in the archive is tried as an article page (``html_page``); responses
that are not HTML (``robots.txt``, feeds, scripts) and error responses are reported as
skipped; redirects are passed over. Pictures the archive holds are not items of their own: when an
article's photo has the same URL as an image response, the photo is imported with that
file. The archive is read twice (an index of record offsets, then each page), so memory
stays small whatever its size.
"""

from dataclasses import dataclass

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .base import ImportRejected, NotAnArticle, normalise_url
from .html_page import parse_html_page

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_BYTES = 50 * 1024 * 1024


@dataclass
class WarcEntry:
    """One response of the archive that is an item for the import: an HTML page to try,
    or something reported as skipped (``skip`` says why)."""

    uri: str
    offset: int
    content_type: str = ""
    status: str = ""
    charset: str = ""
    skip: str = ""


def _content_type(record) -> str:
    headers = record.http_headers
    value = headers.get_header("Content-Type", "") if headers is not None else ""
    return (value or "").split(";")[0].strip().lower()


def _status(record) -> str:
    headers = record.http_headers
    return (headers.get_statuscode() or "") if headers is not None else ""


def index_archive(path) -> tuple[list[WarcEntry], dict[str, int], str]:
    """Read the archive once: its page and other responses (in order), the offsets of its
    image responses by normalised URL, and the error that stopped the reading ("" if it
    was read to the end; what was read before a damaged record is still returned)."""
    entries, images, error = [], {}, ""
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        try:
            for record in iterator:
                if record.rec_type != "response":
                    continue
                offset = iterator.get_record_offset()
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                content_type, status = _content_type(record), _status(record)
                if content_type.startswith("image/"):
                    if status == "200":
                        images.setdefault(normalise_url(uri) or uri, offset)
                    continue
                if status.startswith("3"):
                    continue  # a redirect (to a page or a rendition) holds no content of its own
                entry = WarcEntry(uri=uri, offset=offset, content_type=content_type, status=status)
                declared = (record.http_headers.get_header("Content-Type", "") or "").lower()
                if "charset=" in declared:
                    entry.charset = declared.split("charset=", 1)[1].split(";")[0].strip(" \"'")
                if content_type not in HTML_TYPES:
                    entry.skip = f"not an HTML page ({content_type or 'no content type'})"
                elif status != "200":
                    entry.skip = f"HTTP status {status or 'unknown'}"
                entries.append(entry)
        except Exception as failure:  # noqa: BLE001 - warcio fails in many ways on damaged data
            error = f"damaged archive after {len(entries)} responses: {type(failure).__name__}: {failure}"
    return entries, images, error


def read_payload(path, offset: int, limit: int) -> bytes:
    """The (de-chunked, decoded) HTTP body of the record at ``offset``."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        try:
            record = next(iter(ArchiveIterator(stream)))
            content = record.content_stream().read(limit + 1)
        except (StopIteration, ArchiveLoadFailed, OSError, EOFError, ValueError, AttributeError) as error:
            raise ImportRejected(f"cannot read the record at offset {offset}: {error}") from error
    if len(content) > limit:
        raise ImportRejected(f"the record at offset {offset} is larger than {limit} bytes")
    return content


def parse_entry(path, entry: WarcEntry, images: dict[str, int]):
    """The ``ImportedArticle`` of an HTML response, with archived pictures attached."""
    if entry.skip:
        raise NotAnArticle(entry.skip)
    item = parse_html_page(read_payload(path, entry.offset, MAX_PAGE_BYTES), url=entry.uri, charset=entry.charset)
    item.format = "web archive"
    for image in item.images:
        offset = images.get(normalise_url(image.source_url) or image.source_url)
        if offset is not None:
            try:
                image.content = read_payload(path, offset, MAX_IMAGE_BYTES)
            except ImportRejected:
                image.content = None
    return item
