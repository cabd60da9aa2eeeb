"""Responsive pictures: ``<img>`` (inside ``<picture>`` when there is a WebP and a
fallback format) with ``src``, ``srcset``, ``sizes``, ``width``, ``height``, ``alt`` and
``loading``, built from an image's renditions (``articles.renditions``).

Usage::

    {% load renditions %}

    {# one photo as used in an article: the placement's alt text wins over the image's #}
    {% picture placement sizes="(min-width: 60rem) 40rem, 100vw" %}

    {# the lead photo, above the fold #}
    {% picture placement sizes="100vw" loading="eager" fetchpriority="high" css_class="lead" %}

    {# an Image directly, with an explicit alt text #}
    {% picture image sizes="320px" alt="Portrait of the author" %}

    {# what articles/_picture.html needs (context: image, alt, loading) #}
    {% picture image alt=alt loading=loading sizes="(min-width: 48rem) 46rem, 100vw" %}

    {# one URL (absolute when the template has the request), e.g. for og:image #}
    {% rendition_url placement 1200 as og_image %}<meta property="og:image" content="{{ og_image }}">

``picture`` takes an ``ArticleImage`` (placement) or an ``Image``, or None. It renders
nothing at all for an image without a file (a captured article whose photo was not
archived): the template around it shows the caption and credit, and no broken ``<img>``
appears. ``alt`` overrides the alt text, except for a decorative image, which always
gets ``alt=""`` (unless the placement has alt text of its own). ``sizes`` defaults to
``100vw``; ``loading`` is ``lazy`` (or ``eager``); ``fetchpriority`` is ``high``, ``low``
or ``auto`` when given.
``width``/``height`` are those of the ``src`` rendition, so the browser reserves the
right box before the picture arrives. No query is made: the renditions made so far are
read from ``Image.renditions``, the others point at the rendition view, which makes them.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..models import ArticleImage, Image
from ..renditions import rendition_list

register = template.Library()

SRC_MAX_WIDTH = 1280  # the src for browsers without srcset: a large, not the largest, file
LOADING = {"lazy", "eager"}
PRIORITIES = {"high", "low", "auto"}


def _image_and_alt(item) -> tuple[Image | None, str, bool]:
    """(image, its alt text, whether it is decorative) of a placement or an image."""
    if isinstance(item, ArticleImage):
        image = item.image
        decorative = image.is_decorative and not item.alt_text  # a use with its own alt text is not
        return image, "" if decorative else item.effective_alt_text, decorative
    if isinstance(item, Image):
        return item, "" if item.is_decorative else item.alt_text, item.is_decorative
    return None, "", False


def _srcset(entries: list[dict]) -> str:
    return ", ".join(f"{e['url']} {e['width']}w" for e in entries)


@register.simple_tag
def picture(item, sizes="100vw", loading="lazy", fetchpriority="", css_class="", alt=None) -> SafeString | str:
    """Render the responsive ``<picture>``/``<img>`` of a placement or image ("" without
    a file). See the module docstring for the arguments."""
    image, default_alt, decorative = _image_and_alt(item)
    if image is None or not image.file:
        return ""
    alt_text = "" if decorative else default_alt if alt is None else str(alt)
    entries = rendition_list(image)
    webp = [e for e in entries if e["format"] == "webp"]
    fallback = [e for e in entries if e["format"] != "webp"] or webp
    extra = format_html_join(
        "",
        ' {}="{}"',
        [
            (name, value)
            for name, value in (
                ("class", css_class),
                ("fetchpriority", fetchpriority if fetchpriority in PRIORITIES else ""),
            )
            if value
        ],
    )
    loading = loading if loading in LOADING else "lazy"
    if not fallback:  # no known size: the stored (cleaned) original as it is
        size = format_html(' width="{}" height="{}"', image.width, image.height) if image.width else ""
        return format_html(
            '<img src="{}"{} alt="{}" loading="{}" decoding="async"{}>', image.file.url, size, alt_text, loading, extra
        )
    src = ([e for e in fallback if e["width"] <= SRC_MAX_WIDTH] or fallback[:1])[-1]
    img = format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="{}" decoding="async"{}>',
        src["url"],
        _srcset(fallback),
        sizes,
        src["width"],
        src["height"],
        alt_text,
        loading,
        extra,
    )
    if fallback is webp:
        return img
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">{}</picture>', _srcset(webp), sizes, img
    )


@register.simple_tag(takes_context=True)
def rendition_url(context, item, width=1200, fmt="") -> str:
    """The URL of the rendition of a placement or image closest to ``width`` without going
    over it (the smallest if all are wider), in ``fmt`` ("webp", "jpg", "png"; default:
    the fallback format, which every consumer reads). "" for an image without a file."""
    image, _alt, _decorative = _image_and_alt(item)
    if image is None or not image.file:
        return ""
    entries = rendition_list(image, request=context.get("request"))
    wanted = [e for e in entries if e["format"] == fmt] if fmt else [e for e in entries if e["format"] != "webp"]
    wanted = wanted or entries
    if not wanted:
        return ""
    try:
        width = int(width)
    except (TypeError, ValueError):
        width = 1200
    return ([e for e in wanted if e["width"] <= width] or wanted[:1])[-1]["url"]
