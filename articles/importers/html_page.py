"""Saved HTML article pages (a browser's "Save page", a crawler's copy, our own pages).

Metadata comes from the page's structured data, read with ``extruct``: schema.org JSON-LD
(``NewsArticle`` and kin) first, then Open Graph and ``<meta>``/``<link>`` tags, then the
visible header (``<h1>``, ``.dek``, ``.byline``). The body is found by ``trafilatura``,
which leaves out navigation, cookie banners, advert slots, related links and comment
notices. Figures are read from the page itself, since extractors drop captions and
credits: each ``<figure>`` becomes a photo with its alt text, caption and credit (the
``.credit`` element, or a trailing "(credit)"), the one before the body (or marked
``lead``) as the lead photo, the others where they stood in the body. Corrections come
from JSON-LD ``correction`` or a ``.corrections`` section.
"""

import copy
import re
from urllib.parse import urljoin

import extruct
import lxml.etree
import lxml.html
import trafilatura
from lxml.html import builder

from .base import (
    ImportedArticle,
    ImportedByline,
    ImportedCorrection,
    ImportedImage,
    ImportRejected,
    NotAnArticle,
    normalise_space,
    parse_moment,
    read_dateline,
    url_key,
)

ARTICLE_TYPES = {
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle", "BlogPosting", "Report",
    "LiveBlogPosting", "ScholarlyArticle", "TechArticle", "SatiricalArticle",
}  # fmt: skip
BODY_CLASSES = re.compile(
    r"(?:^|\s)(?:article-body|article__body|articlebody|story-body|story__body|entry-content|post-content"
    r"|body-text|article-content|story-content)(?:\s|$)",
    re.I,
)
CREDIT_CLASSES = re.compile(r"credit|copyright|byline|source|attribution", re.I)
CORRECTION_CLASSES = re.compile(r"(?:^|\s|-)correction", re.I)
TRAILING_CREDIT = re.compile(r"^(?P<caption>.*\S)\s*\((?P<credit>[^()]{2,200})\)\s*$")
MARKER = "zzplacementzz"
MARKER_TEXT = re.compile(rf"^\s*{MARKER}(\d+)\s*$")
BY = re.compile(r"^\s*by\s+", re.I)
NAME_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
# Parts of a page that are never body: ours (meta line, source note, tags) and common ones.
NOT_BODY = (
    "//script|//style|//noscript|//template|//form|//iframe"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' source ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' tags ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' article-meta ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' bylines ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' dek ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' kicker ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' comments ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' preview-banner ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' archive-banner ')]"
)


def _text(element) -> str:
    return normalise_space(element.text_content()) if element is not None else ""


def _first(*values) -> str:
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else ""
        if isinstance(value, dict):
            value = value.get("@value") or value.get("name") or ""
        if isinstance(value, str) and value.strip():
            return normalise_space(value)
    return ""


def _types(node: dict) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _article_node(json_ld: list) -> dict:
    """The first article-typed node of the page's JSON-LD (looking inside ``@graph``)."""
    stack = list(json_ld)
    while stack:
        node = stack.pop(0)
        if not isinstance(node, dict):
            continue
        if _types(node) & ARTICLE_TYPES:
            return node
        stack.extend(_as_list(node.get("@graph")))
        main = node.get("mainEntity")
        if isinstance(main, dict):
            stack.append(main)
    return {}


def _parties(value, role: str) -> list[ImportedByline]:
    bylines = []
    for party in _as_list(value):
        if isinstance(party, str):
            names = NAME_SPLIT.split(BY.sub("", party))
            bylines.extend(ImportedByline(name=n.strip(), role=role) for n in names if n.strip())
        elif isinstance(party, dict) and _first(party.get("name")):
            organisation = "Organization" in _types(party) or "NewsMediaOrganization" in _types(party)
            url = _first(party.get("url"))
            kind = ("organization" if url else "text") if organisation else "person"
            bylines.append(ImportedByline(name=_first(party.get("name")), role=role, kind=kind, url=url))
    return bylines


def _byline_text(text: str) -> list[ImportedByline]:
    """ "By Priya Natarajan and Owen Bright" → two bylines."""
    text = BY.sub("", normalise_space(text))
    text = re.split(r"[,;]?\s+(?:with additional reporting by|photographs by)\s+", text, flags=re.I)[0]
    return [ImportedByline(name=name.strip()) for name in NAME_SPLIT.split(text) if name.strip()]


# --- Figures ---------------------------------------------------------------------------


def _figure_image(figure, *, base_url: str, lead: bool, structured: list[dict]) -> ImportedImage | None:
    """A photo read from a ``<figure>``, or None for a figure that is not one (a pull quote)."""
    img = figure.find(".//img")
    caption_el = figure.find(".//figcaption")
    if img is None and (caption_el is None or figure.find(".//blockquote") is not None):
        return None
    src = urljoin(base_url, img.get("src", "").strip()) if img is not None and img.get("src") else ""
    alt = normalise_space(img.get("alt", "")) if img is not None else ""
    caption, credit = "", ""
    if caption_el is not None:
        caption_el = copy.deepcopy(caption_el)
        credits = [el for el in caption_el.iter() if CREDIT_CLASSES.search(el.get("class", "") or "")]
        if credits:
            credit = _text(credits[0])
            for el in credits:
                el.drop_tree()
        caption = _text(caption_el)
        if not credit and (match := TRAILING_CREDIT.match(caption)):
            caption, credit = match["caption"], match["credit"].strip()
    info = next((s for s in structured if src and s.get("url") == src), None)
    if info is None and caption:
        info = next((s for s in structured if s.get("caption") == caption), None)
    info = info or {}
    image = ImportedImage(
        role="lead" if lead else "inline",
        alt_text=alt or info.get("description", ""),
        caption=caption or info.get("caption", ""),
        credit=credit or info.get("credit", ""),
        copyright_notice=info.get("copyright", ""),
        # The structured data names the original; the page may show a resized copy.
        source_url=info.get("url") or src,
        is_decorative=img is not None and img.get("alt") == "" and not caption,
    )
    if image.source_url:
        image.filename = image.source_url.rsplit("/", 1)[-1][:100]
    return image


def _structured_images(node: dict, base_url: str) -> list[dict]:
    images = []
    for value in _as_list(node.get("image")):
        if isinstance(value, str):
            images.append({"url": urljoin(base_url, value)})
        elif isinstance(value, dict):
            url = _first(value.get("contentUrl"), value.get("url"))
            images.append(
                {
                    "url": urljoin(base_url, url) if url else "",
                    "caption": _first(value.get("caption")),
                    "description": _first(value.get("description")),
                    "credit": _first(value.get("creditText")),
                    "copyright": _first(value.get("copyrightNotice")),
                }
            )
    return images


# --- Body ------------------------------------------------------------------------------

_TEI_TAGS = {"p": "p", "quote": "blockquote", "item": "li", "lb": "br", "row": "tr", "table": "table", "code": "pre"}
_TEI_HI = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}


def _tei_to_html(element):
    """Turn trafilatura's XML (TEI-like) into body HTML elements."""
    tag = element.tag
    if tag == "head":
        level = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4"}.get((element.get("rend") or "h2").lower(), "h3")
        out = lxml.html.Element(level)
    elif tag == "list":
        out = lxml.html.Element("ol" if (element.get("rend") or "").lower() == "ol" else "ul")
    elif tag == "hi":
        out = lxml.html.Element(_TEI_HI.get(element.get("rend", ""), "em"))
    elif tag == "ref":
        out = lxml.html.Element("a")
        if element.get("target"):
            out.set("href", element.get("target"))
    elif tag == "cell":
        out = lxml.html.Element("th" if element.get("role") == "head" else "td")
    elif tag == "del":
        out = lxml.html.Element("s")
    else:
        out = lxml.html.Element(_TEI_TAGS.get(tag, "span"))
    out.text = element.text
    for child in element:
        if child.tag == "graphic":
            continue
        converted = _tei_to_html(child)
        converted.tail = child.tail
        out.append(converted)
    return out


def _body_from_trafilatura(tree) -> list:
    """The body's block elements as found by trafilatura (empty if it found nothing)."""
    try:
        extracted = trafilatura.extract(
            tree,
            output_format="xml",
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=True,
            include_formatting=True,
            deduplicate=False,
            with_metadata=False,
        )
    except Exception:  # noqa: BLE001 - an extractor failure means "no body found", handled below
        extracted = None
    if not extracted:
        return []
    # The extractor's own XML; parsed without entities or network access all the same.
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = lxml.etree.fromstring(extracted.encode("utf-8"), parser=parser)
    main = document.find("main")
    return [_tei_to_html(child) for child in (main if main is not None else [])]


def _body_from_container(container) -> list:
    """Fallback: the paragraphs, headings, lists and quotes of the body container."""
    blocks = []
    for el in container.iter("p", "h2", "h3", "h4", "ul", "ol", "blockquote", "table"):
        if any(ancestor.tag in {"ul", "ol", "blockquote", "table"} for ancestor in el.iterancestors()):
            continue
        if _text(el) or el.tag != "p":
            blocks.append(copy.deepcopy(el))
    return blocks


def _body_html(blocks: list, dateline_text: str) -> tuple[str, str]:
    """Serialise body blocks, turning placement markers into ``<figure data-placement>`` and
    taking the dateline off the first paragraph. Returns ``(html, first paragraph text)``."""
    parts, first_text = [], None
    for block in blocks:
        text = _text(block)
        marker = MARKER_TEXT.match(text) if block.tag == "p" else None
        if marker:
            parts.append(f'<figure data-placement="{int(marker[1])}"></figure>')
            continue
        if not text and block.tag == "p":
            continue
        if first_text is None and block.tag == "p":
            first_text = text
            _strip_dateline(block, dateline_text)
        for el in block.iter():
            el.attrib.pop("class", None)
        parts.append(lxml.html.tostring(block, encoding="unicode", with_tail=False))
    return "\n".join(parts), first_text or ""


def _strip_dateline(paragraph, dateline_text: str) -> None:
    """Remove a leading "PLACE —" (or the known dateline) from a paragraph element."""
    text = paragraph.text or ""
    found = read_dateline(text)
    if found is None and dateline_text and normalise_space(text).startswith(dateline_text):
        found = read_dateline(dateline_text + " — ")
    if found is not None and found.length <= len(text):
        paragraph.text = text[found.length :].lstrip()


def _container(tree):
    h1 = tree.find(".//h1")
    articles = tree.findall(".//article")
    for article in articles:
        if h1 is not None and h1 in article.iter("h1"):
            return article
    if articles:
        return articles[0]
    return tree.find(".//main") if tree.find(".//main") is not None else tree.find(".//body")


def _body_container(container):
    if container is None:
        return None
    for el in container.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("itemprop") == "articleBody" or BODY_CLASSES.search(el.get("class", "") or ""):
            return el
    return None


# --- Corrections -----------------------------------------------------------------------

KIND_WORDS = {"clarification": "clarification", "update": "update", "correction": "correction"}


def _kind_of(text: str) -> str:
    lowered = text.lower()
    return next((kind for word, kind in KIND_WORDS.items() if word in lowered), "correction")


def _dom_corrections(container) -> list[ImportedCorrection]:
    found = []
    for section in container.iter():
        if not isinstance(section.tag, str) or not CORRECTION_CLASSES.search(section.get("class", "") or ""):
            continue
        if any(CORRECTION_CLASSES.search(a.get("class", "") or "") for a in section.iterancestors()):
            continue
        heading = next((el for el in section.iter("h2", "h3", "h4", "strong", "b")), None)
        default_kind = _kind_of(_text(heading)) if heading is not None else "correction"
        items = section.findall(".//li") or [p for p in section.iter("p")]
        for item in items:
            item = copy.deepcopy(item)
            label = item.find(".//strong")
            kind = _kind_of(_text(label)) if label is not None else default_kind
            time_el = item.find(".//time")
            when = parse_moment(time_el.get("datetime")) if time_el is not None else None
            for el in [label, time_el]:
                if el is not None:
                    el.drop_tree()
            text = re.sub(r"^[\s,:;.—–-]+", "", _text(item))
            if text:
                found.append(ImportedCorrection(text=text, kind=kind, created_at=when))
    return found


def _structured_corrections(node: dict) -> list[ImportedCorrection]:
    found = []
    for value in _as_list(node.get("correction")):
        if isinstance(value, str) and value.strip():
            found.append(ImportedCorrection(text=normalise_space(value)))
        elif isinstance(value, dict) and _first(value.get("text")):
            kind = _kind_of(_first(value.get("name"), value.get("@type")) or "correction")
            when = parse_moment(_first(value.get("datePublished")))
            found.append(ImportedCorrection(text=_first(value.get("text")), kind=kind, created_at=when))
    return found


# --- The page ---

CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.I)


def decode_html(content: bytes, charset: str = "") -> str:
    """The text of an HTML document: by its BOM, the charset it (or its HTTP response)
    declares, else UTF-8, else Windows-1252 (what browsers assume)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    if b"\x00" in content[:1024]:
        raise ImportRejected("not an HTML document (binary content)")
    declared = charset or ((m := CHARSET.search(content[:4096])) and m[1].decode("ascii")) or ""
    for encoding in (declared, "utf-8"):
        if not encoding:
            continue
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("cp1252", errors="replace")


def parse_html_page(content: bytes | str, *, url: str = "", charset: str = "") -> ImportedArticle:
    """Read a saved article page into an ``ImportedArticle``.

    ``url`` is where the page was fetched from (a web archive's record); the page's own
    canonical link wins over it. Raises ``NotAnArticle`` for a page with no article (no
    article structured data, no headline with body text) and ``ImportRejected`` for one
    that cannot be parsed.
    """
    if isinstance(content, bytes):
        content = decode_html(content, charset)
    content = re.sub(r"^\s*<\?xml[^>]*>", "", content)  # lxml refuses str input that declares an encoding
    try:
        tree = lxml.html.document_fromstring(content)
    except (lxml.etree.ParserError, ValueError) as error:
        raise ImportRejected(f"not an HTML document ({error})") from error
    html_text = lxml.html.tostring(tree, encoding="unicode")
    try:
        data = extruct.extract(
            html_text, base_url=url or None, syntaxes=["json-ld", "opengraph"], uniform=True, errors="ignore"
        )
    except Exception:  # noqa: BLE001 - broken structured data is ignored, the page may still be read
        data = {}
    node = _article_node(data.get("json-ld", []))
    og = next(iter(data.get("opengraph", [])), {})

    def meta(name: str) -> str:
        found = tree.xpath(f'//meta[@name="{name}" or @property="{name}"]/@content')
        return normalise_space(found[0]) if found else ""

    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    main_entity = node.get("mainEntityOfPage")
    page_url = _first(
        canonical[0] if canonical else "",
        og.get("og:url"),
        node.get("url"),
        main_entity.get("@id") if isinstance(main_entity, dict) else main_entity,
        url,
    )
    page_url = urljoin(url, page_url) if url else page_url
    base_url = url or page_url

    container = _container(tree)
    h1 = container.find(".//h1") if container is not None else None
    headline = _first(node.get("headline"), og.get("og:title"), _text(h1), meta("og:title"))
    if not headline:
        title = tree.find(".//title")
        headline = _text(title).split(" | ")[0] if title is not None else ""
    is_article = bool(node) or (og.get("@type") or meta("og:type")) == "article" or tree.find(".//article") is not None
    if not headline or not is_article:
        raise NotAnArticle("no article in the page (no article structured data or headline)")
    if len(headline) > 300:
        raise ImportRejected("the headline is longer than 300 characters")

    dek_el = container.find(".//*[@class='dek']") if container is not None else None
    dek = _first(node.get("description"), meta("description"), og.get("og:description"), _text(dek_el))

    bylines = _parties(node.get("author"), "author") + _parties(node.get("contributor"), "contributor")
    if not bylines:
        author_meta = tree.xpath('//meta[@name="author"]/@content')
        if author_meta:
            bylines = _byline_text(author_meta[0])
        elif container is not None and (by := container.find(".//*[@class='byline']")) is not None:
            bylines = _byline_text(_text(by))

    # Dateline: the page's dateline element (it shows the agency too), then structured data,
    # then the first paragraph.
    dateline_el = container.find(".//*[@class='dateline']") if container is not None else None
    dateline_text = _text(dateline_el).rstrip("—–- ").strip() if dateline_el is not None else ""
    dateline = read_dateline(dateline_text, need_dash=False) if dateline_text else None
    if dateline is None:
        dateline_text = _first(node.get("dateline")) or dateline_text
        dateline = read_dateline(dateline_text, need_dash=False) if dateline_text else None

    # Figures: read them, then put a marker where each inline one stood.
    structured = _structured_images(node, base_url)
    work = copy.deepcopy(tree)
    work_container = _container(work)
    body_container = _body_container(work_container)
    images: list[ImportedImage] = []
    for figure in list(work_container.iter("figure")) if work_container is not None else []:
        if figure.getparent() is None:
            continue
        inside_body = body_container is not None and body_container in figure.iterancestors()
        classes = figure.get("class", "") or ""
        lead = not images and ("lead" in classes or (body_container is not None and not inside_body))
        image = _figure_image(figure, base_url=base_url, lead=lead, structured=structured)
        if image is None:
            continue
        images.append(image)
        if image.role == "inline":
            marker = builder.P(f"{MARKER}{len(images) - 1}")
            marker.tail = figure.tail
            figure.getparent().replace(figure, marker)
        else:
            figure.drop_tree()
    if not images and structured:
        for index, info in enumerate(structured):
            images.append(
                ImportedImage(
                    role="lead" if index == 0 else "inline",
                    alt_text=info.get("description", ""),
                    caption=info.get("caption", ""),
                    credit=info.get("credit", ""),
                    copyright_notice=info.get("copyright", ""),
                    source_url=info.get("url", ""),
                )
            )

    corrections = _structured_corrections(node) or (_dom_corrections(container) if container is not None else [])
    for el in work.xpath(NOT_BODY + "|//*[contains(concat(' ', normalize-space(@class), ' '), ' dateline ')]"):
        if el.getparent() is not None:
            el.drop_tree()
    for section in list(work.iter()):
        classes = section.get("class", "") or "" if isinstance(section.tag, str) else ""
        if CORRECTION_CLASSES.search(classes) and section.getparent() is not None:
            section.drop_tree()
    if work_container is not None:
        for h1_el in work_container.iter("h1"):
            h1_el.drop_tree()
            break

    # The extractor reads the article element alone when the page has one (the site's
    # header, navigation and footer are outside it).
    if work_container is not None and work_container.tag == "article":
        focus = lxml.html.document_fromstring("<html><body></body></html>")
        focus.find("body").append(copy.deepcopy(work_container))
    else:
        focus = work
    blocks = _body_from_trafilatura(focus)
    if not blocks and body_container is not None:
        blocks = _body_from_container(body_container)
    body, first_text = _body_html(blocks, dateline_text)
    if not first_text:
        raise NotAnArticle("no body text found in the page")
    if dateline is None and (found := read_dateline(first_text)) is not None:
        dateline = found

    kicker = container.find(".//*[@class='kicker']") if container is not None else None
    keywords = node.get("keywords")
    tags = [k.strip() for k in keywords.split(",")] if isinstance(keywords, str) else _as_list(keywords)
    tags = tags or tree.xpath('//meta[@property="article:tag"]/@content')
    source_org = node.get("sourceOrganization")
    language = tree.get("lang") or _first(node.get("inLanguage"))

    return ImportedArticle(
        source_key=url_key(page_url),
        format="HTML page",
        url=page_url,
        headline=headline,
        dek=dek if dek != headline else "",
        body=body,
        dateline_place=dateline.place if dateline else (dateline_text[:100] if dateline_text else ""),
        dateline_country=dateline.country if dateline else "",
        dateline_source=dateline.source if dateline else "",
        language=normalise_space(language)[:35],
        section=_first(node.get("articleSection"), meta("article:section"), _text(kicker)),
        tags=[normalise_space(t) for t in tags if isinstance(t, str) and t.strip()],
        published_at=parse_moment(_first(node.get("datePublished"), meta("article:published_time"))),
        updated_at=parse_moment(_first(node.get("dateModified"), meta("article:modified_time"))),
        publisher=_first((node.get("publisher") or {}).get("name") if isinstance(node.get("publisher"), dict) else ""),
        source_publisher=_first(source_org.get("name")) if isinstance(source_org, dict) else "",
        bylines=bylines,
        images=images,
        corrections=corrections,
    )
