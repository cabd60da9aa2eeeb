"""schema.org ``NewsArticle`` structured data for article pages.

``news_article()`` builds a plain dict from an article loaded with its relations (no
query); ``script_tag()`` renders it as ``<script type="application/ld+json">`` with ``<``,
``>`` and ``&`` escaped, so no headline or caption can close the script element. Every
property and type used here exists in schema.org 30.0 (tests check them against
``../shared/standards``).
"""

import json
from collections.abc import Callable
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .models import ArticleImage, Author, Byline
from .templatetags.archive import MAIN_ROLES, photo_placements

# The escapes of django.utils.html.json_script (which would write type="application/json").
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def script_tag(data: dict) -> SafeString:
    """Render ``data`` as a JSON-LD script element that no string inside can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    escaped = text.translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(escaped))  # noqa: S308


def _iso(moment: datetime | None, tz) -> str | None:
    return moment.astimezone(tz).isoformat() if moment else None


def _party(byline: Byline, absolute: Callable[[str], str]) -> dict:
    """A credited person or organisation (a free-text wire byline is an organisation)."""
    author = byline.author if byline.author_id else None
    is_person = author is not None and author.kind == Author.Kind.PERSON
    party = {"@type": "Person" if is_person else "Organization", "name": byline.display_name}
    if author is not None:
        party["url"] = absolute(reverse("articles:author", kwargs={"slug": author.slug}))
        if author.url:
            party["sameAs"] = author.url
    return party


def image_object(placement: ArticleImage, absolute: Callable[[str], str]) -> dict:
    """An ``ImageObject`` with its caption and credit; ``contentUrl`` only when the file exists."""
    image = placement.image
    data = {"@type": "ImageObject"}
    if image.file:
        data["contentUrl"] = data["url"] = absolute(image.file.url)
        if image.width and image.height:
            data["width"] = image.width
            data["height"] = image.height
    if placement.effective_caption:
        data["caption"] = placement.effective_caption
    if placement.effective_alt_text and not image.is_decorative:
        data["description"] = placement.effective_alt_text
    if placement.effective_credit:
        data["creditText"] = placement.effective_credit
    if image.creator:
        data["creator"] = {"@type": "Person", "name": image.creator}
    elif image.agency:
        data["creator"] = {"@type": "Organization", "name": image.agency}
    if image.copyright_notice:
        data["copyrightNotice"] = image.copyright_notice
    return data


def news_article(
    article,
    *,
    url: str,
    absolute: Callable[[str], str],
    site_settings,
    site_name: str,
    tz,
    discussion_url: str | None = None,
) -> dict:
    """The ``NewsArticle`` for ``article`` (loaded with bylines, placements and tags).

    ``url`` is the page's canonical URL; ``absolute`` turns a path into an absolute URL on
    the request's site; ``site_settings`` give the publisher; ``tz`` the site's time zone;
    ``discussion_url`` is given when commenting is open.
    """
    bylines = list(article.bylines.all())
    photos = photo_placements(article)
    placements = [p for p in [photos.lead, *sorted(photos.inline.values(), key=lambda p: p.position)] if p]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "datePublished": _iso(article.published_at, tz),
        "dateModified": _iso(article.updated_at or article.published_at, tz),
        "inLanguage": article.language,
        "wordCount": article.word_count,
        "isAccessibleForFree": True,
    }
    if article.dek:
        data["description"] = article.dek
    if placements:
        data["image"] = [image_object(p, absolute) for p in placements]
    authors = [_party(b, absolute) for b in bylines if b.role in MAIN_ROLES]
    contributors = [_party(b, absolute) for b in bylines if b.role not in MAIN_ROLES]
    if authors:
        data["author"] = authors
    if contributors:
        data["contributor"] = contributors
    publisher = {"@type": "Organization", "name": site_settings.publisher_name or site_name, "url": absolute("/")}
    if site_settings.publisher_logo:
        publisher["logo"] = {"@type": "ImageObject", "url": absolute(site_settings.publisher_logo.url)}
    data["publisher"] = publisher
    if article.dateline_place:
        data["dateline"] = article.dateline_place
    if article.section_id:
        data["articleSection"] = article.section.name
    tags = [tag.name for tag in article.tags.all()]
    if tags:
        data["keywords"] = tags
    if discussion_url:
        data["discussionUrl"] = discussion_url
    if article.source_publisher:
        data["sourceOrganization"] = {"@type": "Organization", "name": article.source_publisher}
    if article.canonical_url:
        data["isBasedOn"] = article.canonical_url
    corrections = list(article.corrections.all())
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": _iso(correction.created_at, tz),
            }
            for correction in corrections
        ]
    return data
