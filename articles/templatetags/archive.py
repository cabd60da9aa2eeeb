"""Template tags of the public archive: bylines as sentences, the article body with its
dateline and photos, and absolute URLs on the request's site.

``{% load archive %}`` gives ``{% byline article %}``, ``{% article_body article %}``,
``{% absolute_url path %}`` and the ``lead_photo`` / ``teaser_photo`` filters. The plain
functions (``byline_groups``, ``byline_text``, ``photo_placements``, ``site_url``) are also
used by the views, feeds and structured data, so every surface credits people the same way.
"""

import html
import re
from dataclasses import dataclass, field

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..html import sanitize_body
from ..models import ArticleImage, Byline

register = template.Library()

# Roles printed in the main "By …" sentence, in byline order.
MAIN_ROLES = frozenset({Byline.Role.AUTHOR, Byline.Role.REPORTER, Byline.Role.CONTRIBUTOR})


# --- Bylines ---------------------------------------------------------------------------


@dataclass
class BylineGroups:
    """An article's bylines sorted into the sentences they are printed in."""

    main: list[Byline] = field(default_factory=list)  # "By A, B and C"
    additional: list[Byline] = field(default_factory=list)  # "with additional reporting by D"
    photographers: list[Byline] = field(default_factory=list)  # "Photographs by E"


def byline_groups(bylines) -> BylineGroups:
    """Sort ``bylines`` (in position order) by role, keeping their order in each group."""
    groups = BylineGroups()
    for byline in bylines:
        if byline.role == Byline.Role.ADDITIONAL_REPORTING:
            groups.additional.append(byline)
        elif byline.role == Byline.Role.PHOTOGRAPHER:
            groups.photographers.append(byline)
        else:
            groups.main.append(byline)
    return groups


def join_names(names: list) -> str:
    """“A”, “A and B”, “A, B and C”: names joined the way a byline prints them.

    The names keep their type: joining safe strings (links) gives a safe string.
    """
    names = [conditional_escape(name) for name in names]
    if len(names) < 2:
        return mark_safe("".join(names))  # noqa: S308 - each part is escaped above
    conjunction = escape(_("and"))
    return mark_safe(f"{', '.join(names[:-1])} {conjunction} {names[-1]}")  # noqa: S308 - escaped above


def _sentences(groups: BylineGroups, name) -> list[str]:
    """The byline sentences, each name rendered by ``name(byline)``."""
    sentences = []
    main = join_names([name(b) for b in groups.main])
    additional = join_names([name(b) for b in groups.additional])
    if main and additional:
        sentences.append(
            format_html(_("By {main}, with additional reporting by {others}"), main=main, others=additional)
        )
    elif main:
        sentences.append(format_html(_("By {main}"), main=main))
    elif additional:
        sentences.append(format_html(_("Additional reporting by {others}"), others=additional))
    if groups.photographers:
        photographers = join_names([name(b) for b in groups.photographers])
        sentences.append(format_html(_("Photographs by {names}"), names=photographers))
    return sentences


def byline_text(bylines) -> list[str]:
    """The byline sentences as plain text, e.g. ``["By A and B, with additional reporting
    by C", "Photographs by D"]``; a wire byline prints its free text, “By Reuters staff”."""
    sentences = _sentences(byline_groups(bylines), lambda b: b.display_name)
    return [html.unescape(strip_tags(sentence)) for sentence in sentences]


def _linked_name(byline: Byline) -> str:
    if byline.author_id is None:
        return format_html('<span class="byline-name">{}</span>', byline.display_name)
    url = reverse("articles:author", kwargs={"slug": byline.author.slug})
    return format_html('<a class="byline-name" href="{}" rel="author">{}</a>', url, byline.display_name)


@register.simple_tag
def byline(article) -> SafeString:
    """The byline paragraphs of ``article``, names linked to their author pages."""
    sentences = _sentences(byline_groups(article.bylines.all()), _linked_name)
    return mark_safe("".join(format_html('<p class="byline">{}</p>', s) for s in sentences))  # noqa: S308


# --- Photos and body -------------------------------------------------------------------


@dataclass
class PhotoPlacements:
    lead: ArticleImage | None
    inline: dict[int, ArticleImage]  # by position, the N of <figure data-placement="N">


def photo_placements(article) -> PhotoPlacements:
    """Split the article's (prefetched) photo placements into the lead and the inline ones."""
    lead, inline = None, {}
    for placement in article.placements.all():
        if placement.role == ArticleImage.Role.LEAD and lead is None:
            lead = placement
        else:
            inline[placement.position] = placement
    return PhotoPlacements(lead=lead, inline=inline)


@register.filter
def lead_photo(article) -> ArticleImage | None:
    """The lead photo placement of an article (from its prefetched placements), or None."""
    return photo_placements(article).lead


@register.filter
def teaser_photo(article) -> ArticleImage | None:
    """The photo a list shows for an article: its lead photo if that has a file."""
    lead = photo_placements(article).lead
    return lead if lead is not None and lead.image.file else None


_PLACEHOLDER = re.compile(r'<figure data-placement="([0-9]{1,5})">\s*</figure>')
_EMPTY_FIGURE = re.compile(r"<figure(?:\s[^>]*)?>\s*</figure>")
_FIRST_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>")


def render_figure(placement: ArticleImage, *, lead: bool = False) -> str:
    return render_to_string(
        "articles/_figure.html",
        {"placement": placement, "lead": lead, "loading": "eager" if lead else "lazy"},
    )


def body_html(article) -> SafeString:
    """The article body as printed: the dateline leading the first paragraph, each inline
    photo where the body marks it (``<figure data-placement="N">``, N its position), the
    inline photos the body does not mark after it. The lead photo is not included."""
    body = sanitize_body(article.body, stored=True)  # stored sanitised; again here, in case of a raw write
    if article.dateline:
        dateline = format_html('<span class="dateline">{}</span> ', article.dateline)
        body, found = _FIRST_PARAGRAPH.subn(lambda m: m[0] + dateline, body, count=1)
        if not found:
            body = format_html('<p><span class="dateline">{}</span></p>', article.dateline) + body
    inline = photo_placements(article).inline
    placed = set()

    def figure(match):
        position = int(match[1])
        placement = inline.get(position)
        if placement is None or position in placed:
            return ""
        placed.add(position)
        return render_figure(placement)

    body = _PLACEHOLDER.sub(figure, body)
    body = _EMPTY_FIGURE.sub("", body)  # placeholders of photos that are not (or no longer) attached
    body += "".join(render_figure(p) for position, p in sorted(inline.items()) if position not in placed)
    return mark_safe(body)  # noqa: S308 - sanitised above; inserted parts are escaped templates


@register.simple_tag
def article_body(article) -> SafeString:
    return body_html(article)


@register.simple_tag
def figure(placement, lead=False) -> SafeString:
    return mark_safe(render_figure(placement, lead=lead))  # noqa: S308 - an autoescaped template


# --- Absolute URLs ---------------------------------------------------------------------


def site_url(request, path: str) -> str:
    """An absolute URL for ``path`` on the request's site: the request's scheme and the
    Site's domain, never the Host header (which a client controls). URLs that are already
    absolute (media on another origin) are returned as they are."""
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    if path.startswith("//"):
        return f"{request.scheme}:{path}"
    return f"{request.scheme}://{request.site.domain}{path}"


@register.simple_tag(takes_context=True)
def absolute_url(context, path) -> str:
    return site_url(context["request"], path)
