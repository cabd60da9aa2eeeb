"""What every importer produces: a format-neutral description of one article.

Parsers (text capture, HTML page, ninjs, web archive) read their input into an
``ImportedArticle`` and never touch the database; ``writer.import_article`` turns it into
rows through the services. Keeping the two apart lets a parser be tested on its own and
lets every format share one idea of identity, images, bylines and corrections.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from django.utils.dateparse import parse_date, parse_datetime

from ..credits import parse_credit_line

SOURCE_KEY_LENGTH = 200  # Article.source_key


class ImportRejected(Exception):
    """The input is not something this importer can turn into an article (the reason is
    the message). The command reports it and goes on with the next item."""


class NotAnArticle(ImportRejected):
    """The input is readable but holds no article (a robots.txt, an index page)."""


@dataclass
class ImportedByline:
    """A credited contributor. ``kind`` is "person" or "organization" for an Author row,
    "text" for a free-text wire byline ("Reuters staff") that names nobody."""

    name: str
    role: str = "author"
    kind: str = "person"
    url: str = ""
    slug: str = ""


@dataclass
class ImportedImage:
    """One photo of the article, in the order of ``ImportedArticle.images``.

    ``credit`` is the credit line as printed; it is read into the credit chain unless
    ``creator``/``agency``/``distributor`` are given. ``content`` holds the picture's bytes
    when the source archived them (a web archive); otherwise the image has no file.
    """

    role: str = "inline"
    alt_text: str = ""
    caption: str = ""
    credit: str = ""
    creator: str = ""
    agency: str = ""
    distributor: str = ""
    credit_text: str = ""
    copyright_notice: str = ""
    source_url: str = ""
    is_decorative: bool = False
    content: bytes | None = None
    filename: str = ""

    def credit_fields(self) -> dict:
        """The Image credit fields: the given chain, else the printed line parsed."""
        if self.creator or self.agency or self.distributor or self.credit_text:
            return {
                "creator": self.creator,
                "agency": self.agency,
                "distributor": self.distributor,
                "credit_text": self.credit_text,
            }
        parsed = parse_credit_line(self.credit)
        return {
            "creator": parsed.creator,
            "agency": parsed.agency,
            "distributor": parsed.distributor,
            "credit_text": parsed.credit_text,
        }


@dataclass
class ImportedCorrection:
    text: str
    kind: str = "correction"
    created_at: datetime | None = None


@dataclass
class ImportedArticle:
    """An article read from a source.

    ``body`` is HTML; ``<figure data-placement="N"></figure>`` marks where ``images[N]``
    goes (N is the photo's index in ``images``, which becomes its position). ``source_key``
    identifies the source across imports: its URL, or a content hash when it has none.
    ``url`` is the address the source says it lives at (its canonical URL).
    """

    source_key: str
    headline: str
    body: str = ""
    format: str = ""
    url: str = ""
    dek: str = ""
    slug: str = ""
    dateline_place: str = ""
    dateline_country: str = ""
    dateline_source: str = ""
    language: str = ""
    section: str = ""
    tags: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    embargo_until: datetime | None = None
    publisher: str = ""
    source_publisher: str = ""
    bylines: list[ImportedByline] = field(default_factory=list)
    images: list[ImportedImage] = field(default_factory=list)
    corrections: list[ImportedCorrection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- Helpers shared by the parsers ------------------------------------------------------


def normalise_space(text: str) -> str:
    """Collapse runs of white space (including non-breaking spaces) to one space."""
    return " ".join((text or "").split())


def content_key(text: str) -> str:
    """A source key for a source without an address: the SHA-256 of its text, normalised
    (NFC, line endings, trailing spaces), so the same capture saved twice is one source."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_url(url: str) -> str:
    """The URL as an identity: scheme and host lower-cased, default port and fragment
    dropped. Returns "" for anything that is not an absolute http(s) URL."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    if parts.port and parts.port not in {80, 443}:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def url_key(url: str) -> str:
    """The source key of an addressed source: its normalised URL, or a hash of it when it
    is longer than the key column."""
    url = normalise_url(url)
    if not url:
        return ""
    if len(url) <= SOURCE_KEY_LENGTH:
        return url
    return "url-sha256:" + hashlib.sha256(url.encode("utf-8")).hexdigest()


def parse_moment(value) -> datetime | None:
    """An ISO 8601 date-time (or date) as an aware datetime; naive values are UTC.
    Returns None for anything unreadable."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        moment = parse_datetime(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        moment = None
    if moment is None:
        try:
            day = parse_date(value[:10])
        except ValueError:
            day = None
        if day is None:
            return None
        moment = datetime(day.year, day.month, day.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


# "LISBON —", "LISBON (Reuters) —", "NEW YORK, NY –", "SÃO PAULO --". The place is in
# capitals (the wire style), so a sentence such as "The Mayor — who…" is never taken.
DATELINE = re.compile(
    r"""^\s*(?P<place>[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\-]*(?:\s[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\-]*){0,4})
        (?:,\s*(?P<region>[A-Za-zÀ-ÖØ-öø-ÿ.\s]{2,40}?))?
        \s*(?:\((?P<source>[^()]{1,60})\))?
        \s*(?:—|–|--)\s*""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Dateline:
    place: str
    country: str = ""
    source: str = ""
    length: int = 0  # characters of the text the dateline took


def read_dateline(text: str, *, need_dash: bool = True) -> Dateline | None:
    """Read a dateline at the start of ``text`` ("LISBON (Reuters) — The council…").

    With ``need_dash=False`` a bare dateline ("PORTHAVEN", "LISBON (Reuters)") is read
    too, as found in structured data.
    """
    text = text or ""
    match = DATELINE.match(text)
    if match is None and not need_dash:
        match = DATELINE.match(text.rstrip() + " —")
    if match is None:
        return None
    region = (match["region"] or "").strip()
    return Dateline(
        place=match["place"].strip(),
        country=region if re.fullmatch(r"[A-Z]{2}", region) else "",
        source=(match["source"] or "").strip(),
        length=min(match.end(), len(text)),
    )
