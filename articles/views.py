"""Public HTML pages. Everything a reader can reach starts from Article.objects.published();
only the staff preview, behind a login and the change permission, reads other articles.

Every public page goes through ``pagecache.archive_page`` (page cache, ETag, 304,
``Cache-Control: public``). Views set ``Last-Modified`` from the data they show and say how
long the page stays true (``set_freshness``): until the next scheduled article of the site
is due on lists, until a commenting suspension ends on an article.

Article pages render their article's parts (meta tags, the ``<article>`` element,
structured data) through the fragment cache (``articles/fragments.py``), keyed on the
article's version and on everything else those parts show; comments and the commenting
state are computed on every request.

Query budget (pinned in tests/test_query_counts.py): an article page runs 1 query on a
fragment hit, 5 on a miss, plus 1 for its comments when it has any, whatever the number
of bylines, photos and corrections; a list page 6.
"""

import functools
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, DateField, F, Q, Subquery
from django.db.models.functions import Trunc
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from django.views.generic import DayArchiveView, ListView, MonthArchiveView, YearArchiveView

from comments.forms import CommentForm

from . import fragments, jsonld, memento
from .commenting import comments_state
from .models import (
    RELEASE_MOMENT,
    Article,
    Author,
    Byline,
    Section,
    SiteSettings,
    SlugHistory,
    Tag,
    listing_prefetches,
)
from .pagecache import archive_page, latest, seconds_until, set_freshness, set_last_modified
from .search import search_articles, search_sort_key
from .sites import site_settings_for_request
from .templatetags.archive import byline_text, photo_placements, site_url

MAX_QUERY_LENGTH = 200  # characters of a search query that are used


def _config(name: str):
    return settings.ARCHIVE_PAGES[name]


# --- The request's site ----------------------------------------------------------------


def site_state(request, *, now: datetime) -> SiteSettings:
    """Return the request site's settings with three facts about its articles, in one
    query, for list pages' ``Last-Modified`` and freshness:

    - ``articles_changed_at``: the last change of any of its articles (withdrawals included);
    - ``articles_released_at``: the last moment one of them became public;
    - ``next_release_at``: when the next scheduled or embargoed one becomes public.
    """
    articles = Article.objects.for_site(request.site).order_by()
    release = RELEASE_MOMENT  # the expression of the article_release_moment index
    state = (
        SiteSettings.objects.filter(site=request.site)
        .annotate(
            articles_changed_at=Subquery(articles.order_by("-modified_at").values("modified_at")[:1]),
            articles_released_at=Subquery(
                articles.published(now=now).annotate(release=release).order_by("-release").values("release")[:1]
            ),
            next_release_at=Subquery(
                articles.live()
                .annotate(release=release)
                .filter(release__gt=now)
                .order_by("release")
                .values("release")[:1]
            ),
        )
        .first()
    )
    if state is None:
        state = SiteSettings(site_id=request.site.pk)
        state.articles_changed_at = state.articles_released_at = state.next_release_at = None
    return state


def page_context(request, site_settings: SiteSettings, **extra) -> dict:
    """What the base template needs: the site's name, language and time zone."""
    return {
        "site_settings": site_settings,
        "site_name": site_settings.publisher_name or request.site.name,
        "site_tz": site_settings.time_zone,
        "site_language": site_settings.language,
        "site_today": timezone.localtime(timezone.now(), site_settings.tzinfo).date(),
        **extra,
    }


def shown_parts_changed_at(articles) -> datetime | None:
    """The last change of the photos and authors shown with ``articles`` (prefetched)."""
    return latest(
        *(p.image.updated_at for a in articles for p in a.placements.all()),
        *(b.author.updated_at for a in articles for b in a.bylines.all() if b.author_id),
    )


# --- Article pages ---------------------------------------------------------------------


@functools.cache
def _articles_with_page_relations():
    """The base queryset of article pages, built once per process: building and compiling
    the ORM query was a third of an uncached page's CPU time (docs/performance.md)."""
    return Article.objects.select_related("site", "site__settings", "section").with_comment_count()


def _article_at(site, pub_date: date, slug: str) -> Article | None:
    """The article of ``site`` (its own first, then one syndicated to it) at this URL,
    whatever its status, with its site, settings, section and approved comment count (1
    query, 2 for a syndicated copy; its bylines, photos, tags and corrections are loaded
    on a fragment miss)."""
    candidates = list(_articles_with_page_relations().filter(pub_date=pub_date, slug=slug).order_by("-pk"))
    own = next((article for article in candidates if article.site_id == site.pk), None)
    if own is not None or not candidates:
        return own
    syndicated = set(
        Article.sites.through.objects.filter(site=site, article_id__in=[a.pk for a in candidates]).values_list(
            "article_id", flat=True
        )
    )
    return next((article for article in candidates if article.pk in syndicated), None)


def _moved(site, pub_date: date, slug: str):
    """Redirect an address an article was once published at to where it is now."""
    moved = (
        SlugHistory.objects.filter(pub_date=pub_date, slug=slug)
        .filter(Q(site=site) | Q(article__sites=site))
        .select_related("article")
        .first()
    )
    if moved is None:
        return None
    article = moved.article
    if article.pub_date is None or not (article.is_published() or article.status == Article.Status.WITHDRAWN):
        return None
    return _permanent_redirect(article.get_absolute_url())


def _purged(site, pub_date: date, slug: str):
    """The tombstone of an article purged from the trash at this address (answers 410)."""
    from .models import Tombstone

    return Tombstone.objects.filter(site=site, pub_date=pub_date, slug=slug).first()


def _permanent_redirect(url: str) -> HttpResponsePermanentRedirect:
    response = HttpResponsePermanentRedirect(url)
    patch_cache_control(response, public=True, max_age=_config("MAX_AGE"))
    return response


def _article_freshness(article: Article, site_settings: SiteSettings, now: datetime) -> float | None:
    """Seconds until the article page changes by itself: when a commenting suspension
    ends or comments close N days after publication."""
    moments = []
    until = site_settings.comments_suspended_until
    if until is not None and until > now:
        moments.append(until)
    days = site_settings.comments_close_after_days
    if days and article.comments_mode == Article.Comments.INHERIT and article.published_at:
        closes = article.published_at + timedelta(days=days)
        if closes > now:
            moments.append(closes)
    return seconds_until(min(moments), now) if moments else None


def _article_last_modified(
    article: Article, site_settings: SiteSettings, now: datetime, parts_changed_at: datetime | None
) -> datetime | None:
    """The last change of anything the article page shows, including the moments it
    changed by itself (a suspension that ended, comments that closed)."""
    passed = []
    until = site_settings.comments_suspended_until
    if until is not None and until <= now:
        passed.append(until)
    days = site_settings.comments_close_after_days
    if days and article.published_at and article.published_at + timedelta(days=days) <= now:
        passed.append(article.published_at + timedelta(days=days))
    return latest(
        article.modified_at,
        article.published_at,
        article.embargo_until,
        site_settings.updated_at,
        parts_changed_at,
        *passed,
    )


def _canonical_url(request, article: Article) -> str:
    """The original's address for captured pieces; else the article on its own site (a
    syndicated copy points at the site that owns it)."""
    if article.canonical_url:
        return article.canonical_url
    return f"{request.scheme}://{article.site.domain}{article.get_absolute_url()}"


COMMENTS_ON_PAGE = 50
# What the article page shows of an article's relations (prefetched on a fragment miss).
ARTICLE_PAGE_PREFETCHES = (*listing_prefetches(), "corrections")


def article_fragments(request, article: Article, site_settings: SiteSettings) -> dict:
    """Render the parts of the article page that change only when the article, what it
    shows (authors, photos, tags, section) or the site's settings change: the meta tags,
    the ``<article>`` element (in the site's time zone) and the structured data without
    its per-reader parts. Needs the relations loaded (``ARTICLE_PAGE_PREFETCHES``)."""
    canonical = _canonical_url(request, article)
    photos = photo_placements(article)
    context = {
        "request": request,
        "article": article,
        "site_name": site_settings.publisher_name or request.site.name,
        "canonical_url": canonical,
        "lead": photos.lead,
        "share_image": photos.lead if photos.lead is not None and photos.lead.image.file else None,
        "byline_sentences": byline_text(article.bylines.all()),
        "tags": list(article.tags.all()),
        "corrections": list(article.corrections.all()),
        "is_updated": bool(article.updated_at and article.published_at and article.updated_at > article.published_at),
    }
    meta = render_to_string("articles/_article_meta.html", context)
    with timezone.override(zoneinfo.ZoneInfo(site_settings.time_zone or "UTC")):
        main = render_to_string("articles/_article_main.html", context)
    structured = jsonld.news_article(
        article,
        url=canonical,
        absolute=lambda path: site_url(request, path),
        site_settings=site_settings,
        site_name=request.site.name,
        tz=site_settings.tzinfo,
    )
    return {
        "meta": meta,
        "main": main,
        "structured": structured,
        "parts_changed_at": shown_parts_changed_at([article]),
    }


def cached_article_fragments(request, article: Article, site_settings: SiteSettings) -> dict:
    """``article_fragments`` from the fragment cache (``articles/fragments.py``); on a miss
    the relations are prefetched (4 queries) and the parts rendered and stored."""
    key = fragments.key(
        "page",
        article,
        request,
        fragments.generation(),
        request.site.name,
        site_settings.version,
        site_settings.updated_at.isoformat() if site_settings.updated_at else "",
    )
    entry = fragments.get_many([key]).get(key)
    if entry is None:
        fragments.prefetch_missing([article], ARTICLE_PAGE_PREFETCHES)
        entry = article_fragments(request, article, site_settings)
        fragments.set_many({key: entry})
    return entry


def article_context(
    request, article: Article, site_settings: SiteSettings, *, now: datetime, parts: dict | None = None
) -> dict:
    """Everything the article template shows: the cacheable ``parts`` (``article_fragments``;
    rendered here when not given, from the article's prefetched relations) and what changes
    per reader or with time (commenting state, comments, form)."""
    if parts is None:
        parts = article_fragments(request, article, site_settings)
    comments = comments_state(article, site_settings=site_settings, now=now)
    canonical = _canonical_url(request, article)
    page_url = site_url(request, article.get_absolute_url()) if article.pub_date else canonical
    # The first page of approved comments (1 query; more at comments:list).
    # No query when the count (annotated with the article) says there is none.
    counted = getattr(article, "approved_comment_count", None)
    shown_comments = (
        list(article.comments.approved()[:COMMENTS_ON_PAGE]) if comments.is_visible and counted != 0 else []
    )
    comment_count = len(shown_comments) if counted is None else counted
    structured = dict(parts["structured"])
    if comments.is_open:
        structured["discussionUrl"] = f"{page_url}#comments"
    if comments.is_visible:
        structured["commentCount"] = comment_count
    return page_context(
        request,
        site_settings,
        article=article,
        comments=comments,
        fragments={"meta": mark_safe(parts["meta"]), "main": mark_safe(parts["main"])},  # noqa: S308 - rendered templates
        jsonld=jsonld.script_tag(structured),
        shown_comments=shown_comments,
        comment_count=comment_count,
        more_comments=comment_count > len(shown_comments),
        comment_form=CommentForm(article_id=article.pk) if comments.is_open else None,
    )


def _request_site_settings(request, article: Article) -> SiteSettings:
    """The request's site settings: read with the article (same query, so fresh) when the
    article belongs to the request's site, else one query."""
    if article.site_id == request.site.pk:
        try:
            return article.site.settings
        except SiteSettings.DoesNotExist:
            return SiteSettings(site_id=request.site.pk)
    return site_settings_for_request(request)


@require_safe
@archive_page(params=())
def article_detail(request, year: int, month: int, day: int, slug: str):
    """An article at its permanent address: 200 when public, 410 when withdrawn, a 301 from
    an address it had before, 404 otherwise (drafts, scheduled and embargoed articles)."""
    try:
        pub_date = date(year, month, day)
    except ValueError:
        raise Http404("No such date.") from None
    now = timezone.now()
    article = _article_at(request.site, pub_date, slug)
    if article is None or (article.status != Article.Status.WITHDRAWN and not article.is_published(now=now)):
        redirect = _moved(request.site, pub_date, slug) if article is None else None
        if redirect is None:
            tombstone = _purged(request.site, pub_date, slug) if article is None else None
            if tombstone is None:
                raise Http404("No such article.")
            context = page_context(request, site_settings_for_request(request), article=tombstone)
            return render(request, "articles/withdrawn.html", context, status=410)
        return redirect
    site_settings = _request_site_settings(request, article)
    if article.status == Article.Status.WITHDRAWN:
        context = page_context(request, site_settings, article=article)
        response = render(request, "articles/withdrawn.html", context, status=410)
        return set_last_modified(response, latest(article.modified_at, site_settings.updated_at))
    parts = cached_article_fragments(request, article, site_settings)
    response = render(
        request, "articles/article_detail.html", article_context(request, article, site_settings, now=now, parts=parts)
    )
    response["Link"] = memento.original_links(request, article)  # RFC 7089: the original's TimeGate/TimeMap
    set_last_modified(response, _article_last_modified(article, site_settings, now, parts["parts_changed_at"]))
    return set_freshness(response, _article_freshness(article, site_settings, now))


@require_safe
def article_permalink(request, pk: int):
    """``/a/<id>/``: a short address that never changes; 301 to the article's address."""
    article = (
        Article.objects.for_site(request.site)
        .filter(pk=pk)
        .only("pk", "site_id", "slug", "pub_date", "status", "published_at", "embargo_until")
        .first()
    )
    if article is None:
        from .models import Tombstone

        tombstone = Tombstone.objects.filter(site=request.site, article_id=pk).first()
        if tombstone is not None:  # purged from the trash: its address answers 410
            return _permanent_redirect(tombstone.get_absolute_url())
    if article is None or article.pub_date is None:
        raise Http404("No such article.")
    if not (article.is_published() or article.status == Article.Status.WITHDRAWN):
        raise Http404("No such article.")
    return _permanent_redirect(article.get_absolute_url())


def get_article_for_staff(request, pk: int) -> Article:
    """Check that the user may edit articles, then fetch any article, whatever its status."""
    if not request.user.has_perm("articles.change_article"):
        raise PermissionDenied
    queryset = Article.objects.with_listing_relations().prefetch_related("corrections")
    return get_object_or_404(queryset, pk=pk)


@require_safe
def article_preview(request, pk: int):
    """Staff preview of an article in any state, as it will look on its own site. Never
    cached anywhere (``Cache-Control: private, no-store``) and never indexed."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
    article = get_article_for_staff(request, pk)
    site_settings = SiteSettings.objects.filter(site_id=article.site_id).first() or SiteSettings(
        site_id=article.site_id
    )
    context = article_context(request, article, site_settings, now=timezone.now())  # fragments never cached
    context["preview"] = True
    response = render(request, "articles/article_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Lists -----------------------------------------------------------------------------


# Newest first, as the API lists them: the order of the article_released_order index (a
# plain "-published_at" sorts NULLs first and could not use it; released articles have no
# NULL publication time, so the order is the same).
LIST_ORDER = (F("published_at").desc(nulls_last=True), "-pk")


class CountedPaginator(Paginator):
    """A paginator told its total in advance (counted with the archive's calendar)."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count  # fills the cached_property


class ArchiveListMixin:
    """Published articles of the request's site, newest first, paginated (A ``BlogViewMixin``).

    Queries: 1 the site's settings and state; 2 the count; 3 the page of articles (with
    section and site joined); 4 their bylines and authors; 5 their photos; 6 their tags.
    """

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    allow_empty = True
    heading = ""

    def get_paginate_by(self, queryset):
        return _config("PAGINATE_BY")

    @cached_property
    def now(self) -> datetime:
        return timezone.now()

    def get_queryset(self):
        return (
            Article.objects.published(now=self.now)
            .for_site(self.request.site)
            .with_listing_relations()
            .order_by(*LIST_ORDER)
        )

    def get(self, request, *args, **kwargs):
        self.site_state = site_state(request, now=self.now)
        return super().get(request, *args, **kwargs)

    def get_heading(self) -> str:
        return self.heading

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(page_context(self.request, self.site_state))
        context.setdefault("heading", self.get_heading())
        return context

    def render_to_response(self, context, **response_kwargs):
        articles = list(context["object_list"])  # evaluates the page once; the template reuses it
        response = super().render_to_response(context, **response_kwargs)
        state = self.site_state
        set_last_modified(
            response,
            latest(
                state.updated_at,
                state.articles_changed_at,
                state.articles_released_at,
                shown_parts_changed_at(articles),
            ),
        )
        return set_freshness(response, seconds_until(state.next_release_at, self.now))


class FrontPageView(ArchiveListMixin, ListView):
    template_name = "articles/front.html"

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        """The newest ``FRONT_PAGES`` pages only (older articles are in the date archives):
        a count bounded by a LIMIT walks the released-order index, where counting every
        article of a large archive scans the table (baked after every change)."""
        count = queryset[: per_page * _config("FRONT_PAGES")].count()
        return CountedPaginator(queryset, per_page, orphans, allow_empty_first_page, count=count)

    def get_heading(self):
        return "Latest"


class ArchiveDateMixin(ArchiveListMixin):
    """Date archives on ``pub_date``: the date in the article's URL, already in its site's
    time zone, so an archive day lists exactly the articles whose URLs carry that day."""

    date_field = "pub_date"
    month_format = "%m"
    allow_future = True  # published() already hides what is not public yet
    template_name = "articles/archive_date.html"
    known_count = None

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """Count the articles per month (year page) or per day (month page) in one query,
        which also gives the paginator its total."""
        date_type = date_type or self.get_date_list_period()
        rows = (
            queryset.prefetch_related(None)
            .order_by()
            .annotate(period=Trunc(self.date_field, date_type, output_field=DateField()))
            .values("period")
            .annotate(articles=Count("pk"))
            .order_by("period" if ordering == "ASC" else "-period")
        )
        self.period_counts = [(row["period"], row["articles"]) for row in rows]
        self.known_count = sum(count for _period, count in self.period_counts)
        return [period for period, _count in self.period_counts]

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        if self.known_count is None:
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        return CountedPaginator(queryset, per_page, orphans, allow_empty_first_page, count=self.known_count)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["period_counts"] = getattr(self, "period_counts", [])
        return context


class YearArchive(ArchiveDateMixin, YearArchiveView):
    make_object_list = True

    def get_heading(self):
        return str(self.get_year())


class MonthArchive(ArchiveDateMixin, MonthArchiveView):
    def get_heading(self):
        return date(int(self.get_year()), int(self.get_month()), 1).strftime("%B %Y")


class DayArchive(ArchiveDateMixin, DayArchiveView):
    def get_heading(self):
        day = date(int(self.get_year()), int(self.get_month()), int(self.get_day()))
        return f"{day.day} {day:%B %Y}"


class SubjectArchive(ArchiveListMixin, ListView):
    """Articles about one subject (an author, tag or section). The subject is taken from
    the articles already loaded, so the page costs no extra query; it is looked up only
    when the page is empty (404 when it does not exist at all)."""

    template_name = "articles/subject.html"
    model = None
    kind = ""

    def subject_from(self, articles: list[Article], slug: str):
        """The subject called ``slug`` as loaded with ``articles``, or None."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slug = self.kwargs["slug"]
        subject = self.subject_from(list(context["object_list"]), slug)
        if subject is None:
            subject = get_object_or_404(self.model, slug=slug)
        context.update(subject=subject, kind=self.kind, heading=subject.name)
        return context


class AuthorArchive(SubjectArchive):
    model = Author
    kind = "author"

    def get_queryset(self):
        credited = Byline.objects.filter(author__slug=self.kwargs["slug"]).values("article_id")
        return super().get_queryset().filter(pk__in=credited)

    def subject_from(self, articles, slug):
        return next(
            (b.author for a in articles for b in a.bylines.all() if b.author_id and b.author.slug == slug), None
        )


class TagArchive(SubjectArchive):
    model = Tag
    kind = "tag"

    def get_queryset(self):
        tagged = Article.tags.through.objects.filter(tag__slug=self.kwargs["slug"]).values("article_id")
        return super().get_queryset().filter(pk__in=tagged)

    def subject_from(self, articles, slug):
        return next((t for a in articles for t in a.tags.all() if t.slug == slug), None)


class SectionArchive(SubjectArchive):
    model = Section
    kind = "section"

    def get_queryset(self):
        return super().get_queryset().filter(section__slug=self.kwargs["slug"])

    def subject_from(self, articles, slug):
        return next((a.section for a in articles if a.section_id and a.section.slug == slug), None)


class SearchView(ArchiveListMixin, ListView):
    """``/search/?q=``: full-text search of the site's published articles (PostgreSQL) or
    a substring match (SQLite). Not stored in the page cache (any text makes a new page)."""

    template_name = "articles/search.html"

    @cached_property
    def query(self) -> str:
        return " ".join(self.request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]

    def get_queryset(self):
        if not self.query:
            return Article.objects.none()
        # Sorted by an unindexed expression: the matches come from the GIN index (search.py).
        key = search_sort_key("published_at").desc(nulls_last=True)
        return search_articles(super().get_queryset(), self.query).order_by(key, "-pk")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "query": self.query, "heading": "Search"}


def _list_view(view_class, **options):
    return archive_page(**options)(method_decorator(require_safe, name="dispatch")(view_class).as_view())


front_page = _list_view(FrontPageView)
year_archive = _list_view(YearArchive)
month_archive = _list_view(MonthArchive)
day_archive = _list_view(DayArchive)
author_archive = _list_view(AuthorArchive)
tag_archive = _list_view(TagArchive)
section_archive = _list_view(SectionArchive)
search = _list_view(SearchView, params=("q", "page"), store=False)


# --- robots.txt ------------------------------------------------------------------------


@require_safe
def robots_txt(request):
    """Crawl rules and the sitemaps, as absolute URLs on the request's site."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /preview/",
        "Disallow: /search/",
        "",
        f"Sitemap: {site_url(request, reverse('articles:sitemap'))}",
        f"Sitemap: {site_url(request, reverse('articles:sitemap-news'))}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=_config("MAX_AGE"))
    return response
