"""IPTC ninjs 3.1: one article as a ninjs news object.

``article_ninjs(article)`` builds the dict (valid against ``ninjs-schema_3.1.json``);
``write_ninjs`` streams many of them as one JSON array. The mapping:

- ``uri`` is the article's permanent short link (``/a/<id>/``), which never changes; the
  page address is an ``altIds`` entry (role ``url``), the original of a captured piece
  another (role ``canonical``), the database id a third (role ``internal-id``).
- ``headlines`` (main), ``descriptions`` (the dek as ``summary``; each public correction as
  ``correction``, ``clarification`` or ``update``), ``bodies`` (the stored HTML, where
  ``<figure data-placement="N">`` marks the association named ``photo-N``).
- ``by`` is the printed byline; ``people`` (persons) and ``organisations`` (organisation
  authors and free-text wire bylines) carry each credit with its role as ``rel``.
- ``located`` is the dateline place (``places`` adds its country, ``infoSources`` the
  dateline's agency as role ``datelineSource``); ``subjects`` the section and tags.
- Each photo is an association of type ``picture``: ``rel`` ``leadImage`` or
  ``inlineImage``, caption, credit line and alt text as ``descriptions`` (roles
  ``caption``, ``creditline``, ``alt``), the photographer in ``by``, agency and distributor
  as ``infoSources`` (``originator``, ``distributor``), the file as the ``original``
  rendition when it was archived.
"""

import json
import mimetypes
from collections.abc import Iterable
from datetime import UTC, datetime

from django.urls import reverse

from ..html import body_text
from ..models import Article, ArticleImage, Author, Byline
from ..templatetags.archive import byline_text

NINJS_VERSION = "3.1"
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"
DEFAULT_SCHEME = "https"


def site_base_url(site, scheme: str = DEFAULT_SCHEME) -> str:
    """The site's root as an absolute URL without the trailing slash."""
    return f"{scheme}://{site.domain}"


def ninjs_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _pub_status(article: Article) -> str:
    if article.status == Article.Status.WITHDRAWN:
        return "canceled"
    return "usable" if article.is_published() else "withheld"


def _party(byline: Byline, base_url: str) -> tuple[str, dict]:
    """("people" or "organisations", the entry) for one byline."""
    if byline.author_id is None:
        return "organisations", {"name": byline.credit_text, "rel": byline.role, "literal": "free-text byline"}
    author = byline.author
    entry = {"name": byline.display_name, "rel": byline.role}
    entry["uri"] = base_url + reverse("articles:author", kwargs={"slug": author.slug})
    kind = "people" if author.kind == Author.Kind.PERSON else "organisations"
    return kind, entry


def picture_association(placement: ArticleImage, *, base_url: str) -> dict:
    """A photo placement as a ninjs association of type ``picture``."""
    image = placement.image
    association = {
        "name": f"photo-{placement.position}",
        "rel": "leadImage" if placement.role == ArticleImage.Role.LEAD else "inlineImage",
        "uri": base_url + reverse("api:image-detail", kwargs={"pk": image.pk}),
        "type": "picture",
        "representationType": "full",
    }
    if image.creator:
        association["by"] = image.creator
    descriptions = []
    if placement.effective_caption:
        descriptions.append({"role": "caption", "contentType": "text/plain", "value": placement.effective_caption})
    if placement.effective_credit:
        descriptions.append({"role": "creditline", "contentType": "text/plain", "value": placement.effective_credit})
    if placement.effective_alt_text and not image.is_decorative:
        descriptions.append({"role": "alt", "contentType": "text/plain", "value": placement.effective_alt_text})
    if descriptions:
        association["descriptions"] = descriptions
    if image.copyright_notice:
        association["copyrightNotice"] = image.copyright_notice
    sources = []
    if image.agency:
        sources.append({"name": image.agency, "role": "originator"})
    if image.distributor:
        sources.append({"name": image.distributor, "role": "distributor"})
    if sources:
        association["infoSources"] = sources
    if image.source_url:
        association["altIds"] = [{"role": "source", "value": image.source_url}]
    if image.file:
        url = image.file.url
        rendition = {"name": "original", "href": url if "://" in url else base_url + url}
        content_type = mimetypes.guess_type(image.file.name)[0]
        if content_type:
            rendition["contentType"] = content_type
        if image.width and image.height:
            rendition["width"], rendition["height"] = image.width, image.height
        association["renditions"] = [rendition]
    return association


def article_ninjs(article: Article, *, base_url: str | None = None) -> dict:
    """Return ``article`` as a ninjs 3.1 news object.

    ``base_url`` ("https://news.example.org") makes the URLs absolute; by default the
    article's own site over https. Load the article with ``with_listing_relations()`` and
    ``prefetch_related("corrections")`` to build it without further queries.
    """
    site = article.site
    base_url = (base_url or site_base_url(site)).rstrip("/")
    permalink = base_url + reverse("articles:permalink", kwargs={"pk": article.pk})
    data = {
        "uri": permalink,
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": NINJS_SCHEMA},
        "type": "text",
        "representationType": "full",
        "profile": "newsroom-article",
        "version": str(article.version),
        "pubStatus": _pub_status(article),
        "language": article.language,
        "slugline": article.slug,
        "headlines": [{"role": "main", "contentType": "text/plain", "value": article.headline}],
    }
    alt_ids = [{"role": "internal-id", "value": f"article:{article.pk}"}]
    if article.pub_date is not None and article.status != Article.Status.DRAFT:
        alt_ids.append({"role": "url", "value": base_url + article.get_absolute_url()})
    if article.canonical_url:
        alt_ids.append({"role": "canonical", "value": article.canonical_url})
    data["altIds"] = alt_ids
    for name, moment in (
        ("firstCreated", article.published_at or article.created_at),
        ("versionCreated", article.updated_at or article.published_at or article.modified_at),
        ("contentCreated", article.created_at),
        ("embargoedUntil", article.embargo_until),
    ):
        if moment is not None:
            data[name] = ninjs_time(moment)

    descriptions = []
    if article.dek:
        descriptions.append({"role": "summary", "contentType": "text/plain", "value": article.dek})
    for correction in article.corrections.all():
        descriptions.append({"role": correction.kind, "contentType": "text/plain", "value": correction.text})
    if descriptions:
        data["descriptions"] = descriptions
    data["bodies"] = [
        {
            "role": "main",
            "contentType": "text/html",
            "wordCount": article.word_count,
            "charCount": len(body_text(article.body)),
            "value": article.body,
        }
    ]

    bylines = list(article.bylines.all())
    sentences = byline_text(bylines)
    if sentences:
        first = sentences[0][3:] if sentences[0].startswith("By ") else sentences[0]
        data["by"] = "; ".join([first, *sentences[1:]])
    parties: dict[str, list] = {"people": [], "organisations": []}
    for byline in bylines:
        kind, entry = _party(byline, base_url)
        parties[kind].append(entry)
    data.update({kind: entries for kind, entries in parties.items() if entries})

    if article.dateline_place:
        data["located"] = article.dateline_place
        if article.dateline_country:
            data["places"] = [{"name": article.dateline_place, "rel": "located", "literal": article.dateline_country}]
    subjects = []
    if article.section_id:
        subjects.append({"name": article.section.name, "rel": "section", "literal": article.section.slug})
    subjects.extend({"name": tag.name, "rel": "tag", "literal": tag.slug} for tag in article.tags.all())
    if subjects:
        data["subjects"] = subjects

    settings_row = getattr(site, "settings", None)
    publisher = (settings_row.publisher_name if settings_row else "") or site.name
    sources = [{"name": publisher, "role": "publisher", "uri": base_url + "/"}]
    if article.source_publisher:
        source = {"name": article.source_publisher, "role": "originator"}
        if article.canonical_url:
            source["uri"] = article.canonical_url
        sources.append(source)
    if article.dateline_source:
        sources.append({"name": article.dateline_source, "role": "datelineSource"})
    data["infoSources"] = sources
    data["copyrightHolder"] = article.source_publisher or publisher

    associations = [picture_association(p, base_url=base_url) for p in article.placements.all()]
    if associations:
        data["associations"] = associations
    return data


def write_ninjs(articles: Iterable[Article], out, *, base_url_for=None, on_item=None) -> int:
    """Write ``articles`` to the text stream ``out`` as one JSON array, one object at a
    time (nothing else is held in memory). ``base_url_for(article)`` gives each one's base
    URL; ``on_item(article)`` is called after each. Returns how many were written."""
    count = 0
    out.write("[")
    for article in articles:
        base_url = base_url_for(article) if base_url_for else None
        out.write(",\n" if count else "\n")
        out.write(json.dumps(article_ninjs(article, base_url=base_url), ensure_ascii=False))
        count += 1
        if on_item is not None:
            on_item(article)
    out.write("\n]\n" if count else "]\n")
    return count
