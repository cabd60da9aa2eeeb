"""Article body HTML: the sanitiser allowlist and the text measures derived from a body.

One allowlist for news copy, applied with nh3 (Ammonia) on every write of a body. Scripts,
event handlers, ``style`` attributes and ``javascript:`` links never survive it.
"""

import math
import re
from html.parser import HTMLParser

import nh3
from django.conf import settings

# Tags an editor may use in an article body. No <h1> (the headline is the page's <h1>),
# no <img> (pictures are ArticleImage placements, marked in the body by an empty
# <figure data-placement="N"> placeholder), no forms, frames, media or style.
BODY_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
        "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
        "a", "abbr", "cite", "q", "time", "code", "pre", "blockquote",
        "ul", "ol", "li", "dl", "dt", "dd",
        "figure", "figcaption",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
BODY_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "time": {"datetime"},
    "figure": {"data-placement"},
    "ol": {"start", "reversed"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize_body(html: str) -> str:
    """Return ``html`` reduced to the news-copy allowlist (idempotent)."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=set(BODY_TAGS),
        attributes={tag: set(attrs) for tag, attrs in BODY_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener",
        strip_comments=True,
    ).strip()


class _TextExtractor(HTMLParser):
    """Collect the text a reader reads: everything outside <figure> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.figure_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            self.figure_depth += 1
        elif tag in {"p", "br", "li", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote"}:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "figure" and self.figure_depth:
            self.figure_depth -= 1
        else:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.figure_depth:
            self.parts.append(data)


def body_text(html: str) -> str:
    """Return the readable text of a body: tags removed, figures (pictures) left out."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    return " ".join("".join(parser.parts).split())


# A word is a run of non-space characters holding at least one letter or digit, so
# "—", "·" and stray punctuation do not count.
_WORD = re.compile(r"\S*\w\S*")


def count_words(html: str) -> int:
    """Count the words a reader reads in a body (figures and captions excluded)."""
    return len(_WORD.findall(body_text(html)))


def read_time_minutes(word_count: int) -> int:
    """Minutes to read ``word_count`` words: words / 238 wpm, rounded up, minimum 1."""
    return max(1, math.ceil(word_count / settings.NEWSROOM["WORDS_PER_MINUTE"]))
