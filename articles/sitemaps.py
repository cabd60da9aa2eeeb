"""Sitemaps of the request's site: a ``django.contrib.sitemaps`` index with one section per
kind of page, and a Google News sitemap of the last two days.

Article sitemaps list only the site's own articles that have no canonical address
elsewhere: a syndicated copy or a captured piece names another page as canonical, and
sitemaps list canonical URLs only. All URLs are absolute on the site's domain with the
request's scheme.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .models import Article, Author, Byline, Section, Tag
from .pagecache import archive_page, latest, seconds_until, set_freshness, set_last_modified
from .templatetags.archive import site_url
from .views import site_state


class SiteSitemap(Sitemap):
    """A sitemap section for one site (instances are made per request)."""

    def __init__(self, site, *, now):
        self.site = site
        self.now = now

    def published(self):
        return Article.objects.published(now=self.now).for_site(self.site)


class PagesSitemap(SiteSitemap):
    changefreq = "hourly"

    def items(self):
        return ["articles:front"]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(SiteSitemap):
    def items(self):
        return (
            Article.objects.published(now=self.now)
            .filter(site=self.site, canonical_url="")
            .only("pk", "site_id", "pub_date", "slug", "modified_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return item.modified_at

    def get_latest_lastmod(self):
        # One aggregate instead of Django's default, which loads every item.
        return self.items().order_by().aggregate(latest=Max("modified_at"))["latest"]


class SubjectSitemap(SiteSitemap):
    """Author, tag or section pages that list at least one of the site's articles."""

    def location(self, item):
        return reverse(self.url_name, kwargs={"slug": item.slug})


class SectionSitemap(SubjectSitemap):
    url_name = "articles:section"

    def items(self):
        return Section.objects.filter(pk__in=self.published().values("section_id")).order_by("slug")


class TagSitemap(SubjectSitemap):
    url_name = "articles:tag"

    def items(self):
        tagged = Article.tags.through.objects.filter(article__in=self.published().values("pk"))
        return Tag.objects.filter(pk__in=tagged.values("tag_id")).order_by("slug")


class AuthorSitemap(SubjectSitemap):
    url_name = "articles:author"

    def items(self):
        credited = Byline.objects.filter(article__in=self.published().values("pk"), author__isnull=False)
        return Author.objects.filter(pk__in=credited.values("author_id")).order_by("slug")


SECTIONS = {
    "pages": PagesSitemap,
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def _sitemaps(request, now) -> dict[str, Sitemap]:
    return {name: section(request.site, now=now) for name, section in SECTIONS.items()}


def _validators(request, response, now):
    state = site_state(request, now=now)
    set_last_modified(response, latest(state.updated_at, state.articles_changed_at, state.articles_released_at))
    return set_freshness(response, seconds_until(state.next_release_at, now))


@require_safe
@archive_page(params=())
def sitemap_index(request):
    now = timezone.now()
    response = sitemap_views.index(request, _sitemaps(request, now), sitemap_url_name="articles:sitemap-section")
    return _validators(request, response, now)


@require_safe
@archive_page(params=("p",))
def sitemap_section(request, section: str):
    now = timezone.now()
    response = sitemap_views.sitemap(request, _sitemaps(request, now), section=section)
    return _validators(request, response, now)


def news_language(language: str) -> str:
    """Google News wants an ISO 639 code, except ``zh-cn`` and ``zh-tw`` (e.g. ``pt-PT`` → ``pt``)."""
    language = (language or "en").lower()
    return language if language in {"zh-cn", "zh-tw"} else language.split("-")[0]


@require_safe
@archive_page(params=())
def news_sitemap(request):
    """Google News sitemap: the site's own articles of the last two days, at most 1,000."""
    now = timezone.now()
    days = settings.ARCHIVE_PAGES["NEWS_SITEMAP_DAYS"]
    state = site_state(request, now=now)
    articles = list(
        Article.objects.published(now=now)
        .filter(site=request.site, canonical_url="", published_at__gte=now - timedelta(days=days))
        .only("pk", "site_id", "pub_date", "slug", "headline", "language", "published_at", "modified_at")
        .order_by("-published_at", "-pk")[: settings.ARCHIVE_PAGES["NEWS_SITEMAP_MAX_URLS"]]
    )
    context = {
        "publication_name": state.publisher_name or request.site.name,
        "items": [
            {
                "location": site_url(request, article.get_absolute_url()),
                "language": news_language(article.language),
                "published": timezone.localtime(article.published_at, state.tzinfo).isoformat(),
                "title": article.headline,
            }
            for article in articles
        ],
    }
    response = render(request, "articles/sitemap_news.xml", context, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    set_last_modified(response, latest(state.updated_at, state.articles_changed_at, state.articles_released_at))
    # The page changes when the next article is due, or when the oldest one ages out.
    ages_out = articles[-1].published_at + timedelta(days=days) if articles else None
    set_freshness(response, seconds_until(state.next_release_at, now))
    return set_freshness(response, seconds_until(ages_out, now))
