"""IPTC ninjs news objects (3.x, and the lower-case 2.x names) into ``ImportedArticle``.

Reads what ``exporters.ninjs`` writes (see its mapping) and what other systems commonly
send: the main headline, a summary description, the main body (HTML, or plain text made
into paragraphs), people and organisations as bylines (their ``rel`` as the role), the
place, dates, subjects and picture associations with caption, credit line, alt text,
photographer, agency and distributor. A ``<figure data-placement="N">`` in the body points
at the association named ``photo-N``.

The identity of a ninjs object is its original's URL when it names one (an ``altIds``
entry of role ``canonical``), else its ``uri``.
"""

import re
from html import escape

from .base import (
    ImportedArticle,
    ImportedByline,
    ImportedCorrection,
    ImportedImage,
    ImportRejected,
    normalise_space,
    normalise_url,
    parse_moment,
    url_key,
)

PLACEHOLDER = re.compile(r'<figure data-placement="(\d{1,5})">\s*</figure>')
CORRECTION_ROLES = {"correction", "clarification", "update"}
PICTURE_TYPES = {"picture", "graphic"}
BYLINE_RELS = {"author", "reporter", "contributor", "photographer", "additional_reporting"}


def is_ninjs(data) -> bool:
    return (
        isinstance(data, dict)
        and "uri" in data
        and any(key in data for key in ("headlines", "bodies", "headline", "body_html", "body_text", "standard"))
    )


def _values(items, role: str | None = None, *, roles: set | None = None) -> list[dict]:
    found = []
    for item in items or []:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            continue
        if role is not None and (item.get("role") or "") != role:
            continue
        if roles is not None and (item.get("role") or "") not in roles:
            continue
        found.append(item)
    return found


def _text_body(text: str) -> str:
    paragraphs = [normalise_space(p) for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)


def _picture(association: dict) -> ImportedImage:
    descriptions = association.get("descriptions") or []
    caption = next((d["value"] for d in _values(descriptions, "caption")), "")
    if not caption:
        caption = next((d["value"] for d in _values(descriptions, roles={"", "description"})), "")
    credit = next((d["value"] for d in _values(descriptions, "creditline")), "")
    alt = next((d["value"] for d in _values(descriptions, roles={"alt", "alttext", "alternativeText"})), "")
    sources = [s for s in association.get("infoSources") or [] if isinstance(s, dict)]
    agency = next((s.get("name", "") for s in sources if s.get("role") == "originator"), "")
    distributor = next((s.get("name", "") for s in sources if s.get("role") == "distributor"), "")
    original = next(
        (r for r in association.get("renditions") or [] if isinstance(r, dict) and r.get("name") == "original"),
        next((r for r in association.get("renditions") or [] if isinstance(r, dict)), {}),
    )
    source = next((a.get("value", "") for a in association.get("altIds") or [] if a.get("role") == "source"), "")
    image = ImportedImage(
        role="lead" if association.get("rel") in {"leadImage", "leadimage"} else "inline",
        alt_text=normalise_space(alt),
        caption=normalise_space(caption),
        credit=normalise_space(credit),
        copyright_notice=normalise_space(association.get("copyrightNotice", "")),
        source_url=source or original.get("href", ""),
    )
    by = normalise_space(association.get("by", ""))
    if by or agency or distributor:
        # The chain as given; a credit line that names more (or other) is kept whole.
        from ..credits import render_credit_line

        rendered = render_credit_line(creator=by, agency=agency, distributor=distributor)
        if not credit or normalise_space(credit) == rendered:
            image.creator, image.agency, image.distributor = by, agency, distributor
    return image


def parse_ninjs(data: dict) -> ImportedArticle:
    """Read one ninjs object (a dict) into an ``ImportedArticle``."""
    if not is_ninjs(data):
        raise ImportRejected("not a ninjs news object (no uri, headline or body)")
    if data.get("type", "text") not in {"text", "composite"}:
        raise ImportRejected(f"a ninjs object of type “{data.get('type')}” is not an article")

    headlines = data.get("headlines")
    if isinstance(headlines, list):
        main = _values(headlines, "main") or _values(headlines)
        headline = normalise_space(main[0]["value"]) if main else ""
        subhead = _values(headlines, "subhead")
    else:  # ninjs 2.x
        headline, subhead = normalise_space(data.get("headline", "")), []
    if not headline:
        raise ImportRejected("the ninjs object has no headline")

    descriptions = data.get("descriptions") if isinstance(data.get("descriptions"), list) else []
    summary = _values(descriptions, "summary") or _values(descriptions, roles={"", "description"})
    dek = summary[0]["value"] if summary else (subhead[0]["value"] if subhead else "")
    dek = dek or data.get("description_text", "")
    corrections = [
        ImportedCorrection(text=normalise_space(d["value"]), kind=d["role"])
        for d in _values(descriptions, roles=CORRECTION_ROLES)
    ]

    body = ""
    bodies = data.get("bodies")
    if isinstance(bodies, list):
        candidates = _values(bodies, "main") or _values(bodies)
        html = [b for b in candidates if (b.get("contentType") or "text/html").startswith("text/html")]
        if html:
            body = html[0]["value"]
        elif candidates:
            body = _text_body(candidates[0]["value"])
    else:
        body = data.get("body_html") or _text_body(data.get("body_text", ""))

    # Pictures: associations (a list in 3.x, a name-keyed object in 2.x).
    associations = data.get("associations") or []
    if isinstance(associations, dict):
        associations = [{"name": name, **value} for name, value in associations.items() if isinstance(value, dict)]
    images, index_of = [], {}
    for association in associations:
        if not isinstance(association, dict) or association.get("type") not in PICTURE_TYPES:
            continue
        match = re.fullmatch(r"photo-(\d+)", str(association.get("name", "")))
        if match:
            index_of[int(match[1])] = len(images)
        images.append(_picture(association))

    def renumber(match):
        index = index_of.get(int(match[1]))
        return f'<figure data-placement="{index}"></figure>' if index is not None else ""

    body = PLACEHOLDER.sub(renumber, body)

    bylines = []
    for kind, entries in (("person", data.get("people")), ("organization", data.get("organisations"))):
        for entry in entries or []:
            if not isinstance(entry, dict) or not entry.get("name"):
                continue
            rel = entry.get("rel") or "author"
            if rel not in BYLINE_RELS:
                continue
            entry_kind = "text" if entry.get("literal") == "free-text byline" else kind
            bylines.append(ImportedByline(name=entry["name"], role=rel, kind=entry_kind, url=entry.get("uri", "")))
    if not bylines and (data.get("by") or data.get("byline")):
        from .html_page import _byline_text

        bylines = _byline_text(data.get("by") or data.get("byline"))

    alt_ids = {a.get("role"): a.get("value", "") for a in data.get("altIds") or [] if isinstance(a, dict)}
    sources = [s for s in data.get("infoSources") or [] if isinstance(s, dict)]
    originator = next((s for s in sources if s.get("role") == "originator"), {})
    publisher = next((s.get("name", "") for s in sources if s.get("role") == "publisher"), "")
    dateline_source = next((s.get("name", "") for s in sources if s.get("role") == "datelineSource"), "")
    places = [p for p in data.get("places") or [] if isinstance(p, dict) and p.get("rel") == "located"]
    subjects = [s for s in data.get("subjects") or [] if isinstance(s, dict) and s.get("name")]
    url = alt_ids.get("canonical") or originator.get("uri") or data["uri"]
    own_url = alt_ids.get("url", "")
    return ImportedArticle(
        source_key=url_key(url) or str(data["uri"])[:200],
        format="ninjs",
        url=url if normalise_url(url) else own_url,
        headline=headline,
        dek=normalise_space(dek),
        slug=normalise_space(data.get("slugline", "")),
        body=body,
        dateline_place=normalise_space(data.get("located", "")),
        dateline_country=(places[0].get("literal") or "") if places else "",
        dateline_source=dateline_source,
        language=data.get("language", "") or "",
        section=next((s["name"] for s in subjects if s.get("rel") == "section"), ""),
        tags=[s["name"] for s in subjects if s.get("rel") != "section"],
        # A withheld object (a draft) has not been published: its firstCreated is its creation.
        published_at=(
            parse_moment(data.get("firstCreated") or data.get("firstcreated"))
            if data.get("pubStatus", data.get("pubstatus")) != "withheld"
            else None
        ),
        updated_at=parse_moment(data.get("versionCreated") or data.get("versioncreated")),
        embargo_until=parse_moment(data.get("embargoedUntil") or data.get("embargoed")),
        publisher=publisher,
        source_publisher=originator.get("name", ""),
        bylines=bylines,
        images=images,
        corrections=corrections,
    )
