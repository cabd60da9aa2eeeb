"""Time travel for articles: the Memento protocol (RFC 7089).

* Every published revision of an article is a **memento**, readable at
  ``<article URL>rev/<n>/`` with ``Memento-Datetime`` (the moment it was published) and
  ``Link`` headers naming the original, the TimeGate and the TimeMap.
* The **TimeGate** (``<article URL>timegate/``) answers ``Accept-Datetime`` with a 302 to the
  memento that was current at that moment (the first one for earlier moments, the latest
  without the header), with ``Vary: accept-datetime``.
* The **TimeMap** (``<article URL>timemap/``) lists every memento as
  ``application/link-format``.
* The live article page (the original) links its TimeGate and TimeMap and sends no
  ``Memento-Datetime``.
"""

from datetime import UTC, date, datetime

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date, parse_http_date
from django.views.decorators.http import require_safe

from .html import sanitize_body
from .models import Article, Revision
from .pagecache import archive_page
from .sites import site_settings_for_request
from .templatetags.archive import site_url

BAD_DATETIME = "Accept-Datetime must be an HTTP date, e.g. “Thu, 14 Mar 2025 09:05:00 GMT”."


def _kwargs(article: Article) -> dict:
    d = article.pub_date
    return {"year": d.year, "month": f"{d.month:02d}", "day": f"{d.day:02d}", "slug": article.slug}


def timegate_url(article: Article) -> str:
    return reverse("articles:timegate", kwargs=_kwargs(article))


def timemap_url(article: Article) -> str:
    return reverse("articles:timemap", kwargs=_kwargs(article))


def memento_url(article: Article, number: int) -> str:
    return reverse("articles:revision", kwargs={**_kwargs(article), "number": number})


def original_links(request, article: Article) -> str:
    """The ``Link`` header of the live article page: where its TimeGate and TimeMap are."""
    return ", ".join(
        [
            f'<{site_url(request, timegate_url(article))}>; rel="timegate"',
            f'<{site_url(request, timemap_url(article))}>; rel="timemap"; type="application/link-format"',
        ]
    )


def _article(request, year: int, month: int, day: int, slug: str) -> Article:
    """The public article at this address (410 page reasons are the article view's job:
    a withdrawn article has no public mementos either)."""
    try:
        pub_date = date(year, month, day)
    except ValueError:
        raise Http404("No such date.") from None
    article = (
        Article.objects.published()
        .for_site(request.site)
        .filter(pub_date=pub_date, slug=slug)
        .select_related("site")
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    return article


def _mementos(article: Article):
    return article.revisions.filter(is_published=True).order_by("created_at", "number")


def _links(request, article: Article, *, mementos=()) -> str:
    original = site_url(request, article.get_absolute_url())
    parts = [
        f'<{original}>; rel="original"',
        f'<{site_url(request, timegate_url(article))}>; rel="timegate"',
        f'<{site_url(request, timemap_url(article))}>; rel="timemap"; type="application/link-format"',
    ]
    return ", ".join(parts + list(mementos))


@require_safe
@archive_page(params=())
def revision_detail(request, year: int, month: int, day: int, slug: str, number: int):
    """A published revision, as it was: the archive's permanent copy of that version."""
    from .views import page_context  # views link here: import late

    article = _article(request, year, month, day, slug)
    revision = _mementos(article).filter(number=number).first()
    if revision is None:
        raise Http404("No such published revision.")
    # Sanitised again on the way out: snapshots restored from a backup file are written
    # verbatim, and this page must not trust them more than a live body.
    snapshot = {**revision.snapshot, "body": sanitize_body(revision.snapshot.get("body", ""), stored=True)}
    images = [
        {**image, "url": default_storage.url(image["file"]) if image.get("file") else None}
        for image in snapshot["images"]
    ]
    context = page_context(
        request,
        site_settings_for_request(request),
        article=article,
        revision=revision,
        snapshot=snapshot,
        images=images,
        current_url=article.get_absolute_url(),
        canonical_url=site_url(request, article.get_absolute_url()),
    )
    response = render(request, "articles/revision_detail.html", context)
    response["Memento-Datetime"] = http_date(revision.created_at.timestamp())
    response["Link"] = _links(request, article)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def timegate(request, year: int, month: int, day: int, slug: str):
    """302 to the memento current at ``Accept-Datetime`` (400 if that is not an HTTP date)."""
    article = _article(request, year, month, day, slug)
    header = request.headers.get("Accept-Datetime")
    mementos = _mementos(article)
    if header is None:
        chosen = mementos.last()
    else:
        try:
            moment = datetime.fromtimestamp(parse_http_date(header), tz=UTC)
        except (ValueError, OverflowError):
            response = JsonResponse({"detail": BAD_DATETIME}, status=400)
            response["Vary"] = "accept-datetime"
            return response
        chosen = mementos.filter(created_at__lte=moment).last() or mementos.first()
    if chosen is None:
        raise Http404("This article has no published revision.")
    response = HttpResponseRedirect(site_url(request, memento_url(article, chosen.number)))
    response["Vary"] = "accept-datetime"
    response["Link"] = _links(request, article)
    return response


@require_safe
def timemap(request, year: int, month: int, day: int, slug: str):
    """Every memento of the article, oldest first, as ``application/link-format``."""
    article = _article(request, year, month, day, slug)
    mementos: list[Revision] = list(_mementos(article).only("number", "created_at"))
    lines = [
        f'<{site_url(request, article.get_absolute_url())}>; rel="original"',
        f'<{site_url(request, timegate_url(article))}>; rel="timegate"',
        f'<{site_url(request, timemap_url(article))}>; rel="self"; type="application/link-format"'
        + (
            f'; from="{http_date(mementos[0].created_at.timestamp())}"'
            f'; until="{http_date(mementos[-1].created_at.timestamp())}"'
            if mementos
            else ""
        ),
    ]
    for index, revision in enumerate(mementos):
        rel = "memento"
        if index == 0:
            rel = "first memento"
        if index == len(mementos) - 1:
            rel = "last memento" if index else "first last memento"
        lines.append(
            f'<{site_url(request, memento_url(article, revision.number))}>; rel="{rel}"; '
            f'datetime="{http_date(revision.created_at.timestamp())}"'
        )
    return HttpResponse(",\n".join(lines) + "\n", content_type="application/link-format")
