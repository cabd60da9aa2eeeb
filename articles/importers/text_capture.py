"""Text captures: a news page copied as plain text (the format in DESIGN.md).

::

    Headline on the first line

    ·3 min read                      (optional: the source's own figure)

    LISBON — The first paragraph starts with the dateline.

    Paragraphs are separated by blank lines.

    The alt text of a photo, on its own line,
    then its caption, ending with the credit. (Creator/AGENCY via Distributor)

    Trailing site chrome, such as a notice that commenting is suspended, is not body.

The source's "N min read" is kept only as a note in the revision message: the archive
computes its own read time from the body. A capture has no address, so its identity is the
SHA-256 of its (normalised) text: importing the same capture again finds the same article.
"""

import re
from html import escape

from .base import ImportedArticle, ImportedImage, ImportRejected, content_key, normalise_space, read_dateline

READ_TIME = re.compile(r"^[·•|\-–—\s]*(?P<minutes>\d{1,3})\s*(?:min|mins|minute|minutes)\.?\s+read\s*$", re.I)
# A caption ends with its credit in parentheses: "… on Wednesday. (Marta Lopes/Reuters)".
CAPTION = re.compile(r"^(?P<caption>.*\S)\s*\((?P<credit>[^()]{2,200})\)\s*$")
CREDIT_HINT = re.compile(r"^(?:photo|photograph|picture|image|credit|©|\(c\))", re.I)
MAX_ALT_LINE = 500

# Site chrome that follows (or interrupts) the story in a copy-paste of a news page.
# Trailing blocks that match are dropped; a block that is only an advert label is dropped
# wherever it is.
CHROME = [
    re.compile(pattern, re.I)
    for pattern in (
        r"\bcomment(?:s|ing)\b.*\b(?:off|closed|clos(?:e|ing)|suspend\w*|disabled|turned|paused|unavailable)\b",
        r"\b(?:turned|switched)\s+off\s+comment",
        r"\bcommunity (?:guidelines|standards)\b",
        r"^(?:sign up|subscribe|newsletter|follow us|share (?:this|on)|read more|related(?: stories| articles)?:?"
        r"|more from|most (?:read|popular)|recommended|advertisement|copyright|©|all rights reserved"
        r"|join the conversation|leave a comment|\d+ comments?)\b",
    )
]
ADVERT = re.compile(r"^(?:advertisement|advert|sponsored|story continues below(?: advertisement)?)$", re.I)


def _is_chrome(block: list[str]) -> bool:
    text = " ".join(block)
    return any(pattern.search(text) for pattern in CHROME)


def _caption(line: str) -> tuple[str, str] | None:
    """``(caption, credit)`` when ``line`` is a photo caption ending in its credit."""
    match = CAPTION.match(line)
    if match is None:
        return None
    from ..credits import parse_credit_line

    credit = match["credit"].strip()
    if not (parse_credit_line(credit).parsed or CREDIT_HINT.match(credit)):
        return None
    return match["caption"].strip(), credit


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _flush(pending: list[str], parts: list[str]) -> None:
    """Close the paragraph being read, if any."""
    if pending:
        parts.append(f"<p>{escape(normalise_space(' '.join(pending)), quote=False)}</p>")
        pending.clear()


def parse_text_capture(text: str, *, name: str = "") -> ImportedArticle:
    """Read a text capture into an ``ImportedArticle`` (or raise ``ImportRejected``)."""
    if "\x00" in text:
        raise ImportRejected("not a text file (it holds NUL bytes)")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = _blocks(lines)
    if not blocks:
        raise ImportRejected("the file is empty")
    headline_block = blocks.pop(0)
    headline = normalise_space(headline_block[0])
    if len(headline) > 300:
        raise ImportRejected("the first line is too long to be a headline (over 300 characters)")
    # A headline block may carry the read time on its second line.
    rest_of_first = headline_block[1:]
    if rest_of_first:
        blocks.insert(0, rest_of_first)

    notes = []
    if blocks and len(blocks[0]) == 1 and (match := READ_TIME.match(blocks[0][0])):
        notes.append(f"the source said {match['minutes']} min read")
        blocks.pop(0)

    blocks = [block for block in blocks if not (len(block) == 1 and ADVERT.match(block[0]))]
    while blocks and _is_chrome(blocks[-1]):
        notes.append(f"left out site chrome: “{normalise_space(' '.join(blocks.pop()))[:80]}”")

    parts: list[str] = []  # HTML, in order
    images: list[ImportedImage] = []
    for block in blocks:
        pending: list[str] = []  # lines of the paragraph being read (a wrapped paragraph)
        index = 0
        while index < len(block):
            line = block[index]
            nxt = block[index + 1] if index + 1 < len(block) else None
            found = _caption(nxt) if nxt is not None and len(line) <= MAX_ALT_LINE else None
            if found is not None and _caption(line) is None:
                _flush(pending, parts)
                caption, credit = found
                role = "lead" if not parts and not images else "inline"
                images.append(ImportedImage(role=role, alt_text=normalise_space(line), caption=caption, credit=credit))
                if role == "inline":
                    parts.append(f'<figure data-placement="{len(images) - 1}"></figure>')
                index += 2
                continue
            pending.append(line)
            index += 1
        _flush(pending, parts)
    paragraphs = sum(1 for part in parts if part.startswith("<p>"))

    if not paragraphs:
        raise ImportRejected("no body paragraphs after the headline")

    body = "\n".join(parts)
    dateline = None
    first = next(i for i, part in enumerate(parts) if part.startswith("<p>"))
    paragraph_text = parts[first][3:-4]
    dateline = read_dateline(paragraph_text)
    if dateline is not None:
        remainder = paragraph_text[dateline.length :].lstrip()
        parts[first] = f"<p>{remainder}</p>"
        body = "\n".join(parts)

    return ImportedArticle(
        source_key=content_key(text),
        format="text capture",
        headline=headline,
        body=body,
        dateline_place=dateline.place if dateline else "",
        dateline_country=dateline.country if dateline else "",
        dateline_source=dateline.source if dateline else "",
        images=images,
        notes=notes,
    )
