"""Comment text: what readers may write, and how it is shown.

Readers write plain text with blank lines between paragraphs; a tiny subset of HTML is kept
(emphasis, code, quotes, links with http/https). Links get ``rel="nofollow ugc noopener"``
so they pass no search ranking and cannot reach back into the page.
"""

import hashlib
import hmac
import re

import nh3
from django.conf import settings

COMMENT_TAGS = {"p", "br", "em", "strong", "i", "b", "code", "blockquote", "a"}
COMMENT_ATTRIBUTES = {"a": {"href"}}
_LINK = re.compile(r"https?://|<a\b", re.IGNORECASE)


def render_comment(text: str) -> str:
    """Return the safe HTML of a comment: paragraphs from blank lines, line breaks kept."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    html = "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(
        html,
        tags=COMMENT_TAGS,
        attributes={"*": set(), **COMMENT_ATTRIBUTES},  # "*": no lang or title (nh3's default) anywhere
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def count_links(text: str) -> int:
    """How many links a comment carries (bare URLs and <a> tags)."""
    return len(_LINK.findall(text))


def normalise(text: str) -> str:
    """The text as compared for duplicates: case and white space folded."""
    return " ".join(text.casefold().split())


def keyed_hash(value: str, *, purpose: str) -> str:
    """An HMAC of ``value`` keyed by the secret key: stable for comparisons (duplicates, rate
    limits, repeat commenters) but not reversible to the address or e-mail it came from."""
    key = f"{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
