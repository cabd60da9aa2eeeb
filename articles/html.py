"""Article body HTML: the sanitiser allowlist and the text measures derived from a body.

One allowlist for news copy, applied with nh3 (Ammonia) on every write of a body. Scripts,
event handlers, ``style`` attributes and ``javascript:`` links never survive it.

Before nh3 sees a body, ``check_body_shape`` refuses what would make the HTML tree builder
slow (its cost grows with nesting depth times size: 20,000 nested ``<div>`` take ~0.5 s,
and far longer as the body grows): more than ``MAX_DEPTH`` open elements, or more than
``MAX_SANITIZE_BYTES``. The check is one regular-expression pass over the tags.
"""

import math
import re
from html.parser import HTMLParser

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape

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
# Attributes allowed on every tag (nh3 would otherwise add its default, lang and title).
GENERIC_ATTRIBUTES = frozenset({"lang"})

# The shape a body must have before it is parsed (check_body_shape).
MAX_DEPTH = 256  # open elements at once; news copy rarely passes 10
MAX_SANITIZE_BYTES = 2 * 1024 * 1024  # any path; services also cap bodies at NEWSROOM["MAX_BODY_BYTES"]
TOO_DEEP = "The body nests its HTML elements more than {limit} deep; simplify its markup."
TOO_BIG_TO_PARSE = "The body is too large to check ({size} bytes; the limit is {limit})."

# Elements that never hold others (void) or that the parser closes by itself when a sibling
# starts (optional end tags): they add no depth.
_FLAT = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup",
        "rb", "rt", "rp", "thead", "tbody", "tfoot", "colgroup",
    }
)  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?=[\s/>])")


def html_depth(html: str, stop_above: int | None = None) -> int:
    """The most elements open at once, as a browser's parser would count them, roughly:
    each start tag opens one (void and self-closing-by-sibling elements excepted), an end
    tag closes one of its own name if any is open (a stray end tag closes nothing).
    Counting stops as soon as the depth passes ``stop_above``."""
    open_by_name: dict[str, int] = {}
    depth = deepest = 0
    for match in _TAG.finditer(html):
        name = match[2].lower()
        if name in _FLAT:
            continue
        if match[1]:
            if open_by_name.get(name):
                open_by_name[name] -= 1
                depth -= 1
        else:
            open_by_name[name] = open_by_name.get(name, 0) + 1
            depth += 1
            deepest = max(deepest, depth)
            if stop_above is not None and deepest > stop_above:
                break
    return deepest


def check_body_shape(html: str) -> None:
    """Raise ``ValidationError`` (code ``too_large`` or ``too_deep``) for a body the sanitiser
    should not parse."""
    size = len(html.encode("utf-8", "surrogatepass"))
    if size > MAX_SANITIZE_BYTES:
        raise ValidationError(TOO_BIG_TO_PARSE.format(size=size, limit=MAX_SANITIZE_BYTES), code="too_large")
    if html_depth(html, stop_above=MAX_DEPTH) > MAX_DEPTH:
        raise ValidationError(TOO_DEEP.format(limit=MAX_DEPTH), code="too_deep")


def sanitize_body(html: str, *, stored: bool = False) -> str:
    """Return ``html`` reduced to the news-copy allowlist (idempotent).

    A body ``check_body_shape`` refuses raises its ``ValidationError`` (writes answer 400);
    with ``stored=True`` (pages showing a body already in the database, perhaps written
    raw) it is shown as escaped text instead.
    """
    if not html:
        return ""
    try:
        check_body_shape(html)
    except ValidationError:
        if stored:
            return f"<p>{escape(html[:MAX_SANITIZE_BYTES])}</p>"
        raise
    cleaned = _clean_body(html)
    # html5ever can write markup that it parses differently the second time (a heading inside
    # a heading is closed early), so clean until the output is stable: cleaning is idempotent.
    for _ in range(3):
        again = _clean_body(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def _clean_body(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(BODY_TAGS),
        # "*": the attributes every tag may carry (nh3 would otherwise allow lang and title)
        attributes={"*": set(GENERIC_ATTRIBUTES), **{tag: set(attrs) for tag, attrs in BODY_ATTRIBUTES.items()}},
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
# "—", "·" and stray punctuation do not count. (Split first, then look for the letter: the
# single pattern \S*\w\S* backtracks quadratically on a long run without one, 44 s for
# 50,000 ">".)
_LETTER_OR_DIGIT = re.compile(r"\w")


def count_words(html: str) -> int:
    """Count the words a reader reads in a body (figures and captions excluded)."""
    return sum(1 for token in body_text(html).split() if _LETTER_OR_DIGIT.search(token))


def read_time_minutes(word_count: int) -> int:
    """Minutes to read ``word_count`` words: words / 238 wpm, rounded up, minimum 1."""
    return max(1, math.ceil(word_count / settings.NEWSROOM["WORDS_PER_MINUTE"]))
