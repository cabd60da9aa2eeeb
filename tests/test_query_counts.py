"""Query counts of every page and endpoint the benchmark measures (bench/run.py), in one
place, with 3 and 20 articles where a list is involved: the counts do not grow with the
rows, nor with bylines, photos, tags or corrections per article.

Targets (issue 8): an uncached article page at most 8 queries, a cached one 0, the API list
of 20 fully nested articles at most 6. "Cold" is an empty cache (every fragment misses),
"warm" the same request again with the page cache bypassed (``PAGE_CACHE_TIMEOUT`` 0, as
the benchmark's "uncached" figures), where the article fragments hit.

Other files pin more cases (tests/test_views.py list pages, tests/test_api_articles.py
editors and filters, tests/test_feeds.py, tests/test_pagecache.py); this one is the list
of the benchmark's endpoints.
"""

from datetime import timedelta

import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.utils import timezone

from articles import services
from comments.models import Comment
from tests import factories

API = "/api/v1/articles/"
SIZES = [3, 20]


@pytest.fixture
def page_cache_off(settings):
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGE_CACHE_TIMEOUT": 0}


def rich_articles(site, count: int, *, comments: bool = True):
    """``count`` published articles, each with two bylines, a lead and an inline photo, two
    tags, a correction, a syndication site and (every other one) approved comments."""
    partner = Site.objects.create(domain="partner.example", name="Partner")
    when = timezone.now() - timedelta(hours=2)
    articles = []
    for n in range(count):
        article = factories.draft_article(
            site=site,
            headline=f"Harbour council story {n}",
            authors=[factories.AuthorFactory(), factories.AuthorFactory()],
            images=[factories.ImageFactory(), factories.ImageFactory()],
            tags=[factories.TagFactory(), factories.TagFactory()],
            sites=[partner],
        )
        article = services.article_publish(article=article, published_at=when - timedelta(minutes=n))
        services.correction_add(article=article, text=f"Correction {n}.")
        if comments and n % 2 == 0:
            Comment.objects.create(
                article=article, site=site, display_name="Reader", body="Yes", body_html="<p>Yes</p>",
                body_hash=str(n), client_hash="c", status="approved",
            )  # fmt: skip
        articles.append(article)
    return articles


def warm_up(client):
    """Resolve the request's site once: the sites framework caches it per process."""
    client.get("/robots.txt")


# --- Article page --------------------------------------------------------------------------


@pytest.mark.parametrize("with_comments", [False, True])
def test_article_page_uncached(client, site, page_cache_off, with_comments, django_assert_num_queries):
    article = rich_articles(site, 1, comments=with_comments)[0]
    url = article.get_absolute_url()
    warm_up(client)
    comments = 1 if with_comments else 0
    # Cold: 1 the article with its site, site settings, section and approved-comment count;
    # 2 bylines with authors · 3 photos with images · 4 tags · 5 corrections (the fragment
    # miss); + 1 the approved comments, when the count says there are some.
    with django_assert_num_queries(5 + comments):
        cold = client.get(url)
    # Warm (page cache bypassed): the article row; its parts come from the fragment cache.
    with django_assert_num_queries(1 + comments):
        warm = client.get(url)
    assert cold.status_code == warm.status_code == 200
    assert cold.content == warm.content
    assert 5 + comments <= 8  # the target


def test_article_page_cached(client, site, django_assert_num_queries):
    article = rich_articles(site, 1)[0]
    first = client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        again = client.get(article.get_absolute_url())
    assert again.content == first.content
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


# --- List pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("url", ["/", "/archive/{y}/{m}/{d}/", "/archive/{y}/"])
def test_list_pages(client, site, settings, page_cache_off, count, url, django_assert_num_queries):
    articles = rich_articles(site, count)
    day = articles[0].pub_date
    url = url.format(y=f"{day:%Y}", m=f"{day:%m}", d=f"{day:%d}")
    warm_up(client)
    # 1 the site's settings with its articles' last change and next release; 2 the count
    # (per-period counts on archives); 3 the page of articles; 4 bylines; 5 photos; 6 tags.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert "Harbour council story 0" in response.content.decode()
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGE_CACHE_TIMEOUT": 60}
    client.get(url)  # stored
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


# --- API -----------------------------------------------------------------------------------


def api_pins(client, url, django_assert_num_queries):
    """Cold (every article misses the fragment cache) ≤ 6 queries, warm 1; same JSON."""
    warm_up(client)
    cache.clear()
    # 1 the page of articles with site, site settings, section and approved-comment count;
    # the misses' 2 bylines with authors · 3 photos with images · 4 tags · 5 corrections ·
    # 6 syndication sites.
    with django_assert_num_queries(6):
        cold = client.get(url)
    with django_assert_num_queries(1):
        warm = client.get(url)
    assert cold.status_code == warm.status_code == 200
    assert cold.json() == warm.json()
    return warm.json()


@pytest.mark.parametrize("count", SIZES)
def test_api_list_fully_nested(client, site, count, django_assert_num_queries):
    rich_articles(site, count)
    data = api_pins(client, f"{API}?page_size=20", django_assert_num_queries)
    assert len(data["results"]) == count
    first = data["results"][0]
    assert [len(first[k]) for k in ("bylines", "images", "tags", "corrections", "sites")] == [2, 2, 2, 1, 1]
    assert first["lead_image"]["credit"] == "Anatolii Stepanov/AFP via Getty Images"
    assert first["comment_count"] == 1 and first["comments"]["state"] == "open"


def test_api_detail(client, site, django_assert_num_queries):
    article = rich_articles(site, 3)[1]
    data = api_pins(client, f"{API}{article.pk}/", django_assert_num_queries)
    assert data["id"] == article.pk and len(data["bylines"]) == 2


@pytest.mark.parametrize("count", SIZES)
def test_api_search(client, site, count, django_assert_num_queries):
    rich_articles(site, count)
    data = api_pins(client, f"{API}?q=harbour", django_assert_num_queries)
    assert len(data["results"]) == count


@pytest.mark.parametrize("count", SIZES)
def test_change_feed(client, site, count, django_assert_num_queries):
    articles = rich_articles(site, count)
    services.article_withdraw(article=articles[0], reason="Legal")
    data = api_pins(client, f"{API}?updated_since=2000-01-01T00:00:00Z", django_assert_num_queries)
    assert len(data["results"]) == count
    tombstone = next(r for r in data["results"] if r["id"] == articles[0].pk)
    assert tombstone["status"] == "withdrawn" and "headline" not in tombstone
