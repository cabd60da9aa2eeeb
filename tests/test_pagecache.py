"""HTTP caching of public pages: validators and 304, Cache-Control, the page cache (no
query on a hit) and its invalidation after writes through the services commit."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date

from articles import pagecache, services
from articles.models import SiteSettings
from articles.services import BylineSpec, PlacementSpec
from tests import factories
from tests.test_views import make_article

PAGES = ["article", "/", "/archive/{y}/", "/authors/ann-ames/", "/feeds/rss/", "/feeds/atom/", "/sitemap.xml"]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def article(site):
    author = factories.AuthorFactory(name="Ann Ames", slug="ann-ames")
    photo = factories.ImageFactory(caption="Boats leave the harbour.")
    return make_article(
        site,
        headline="Harbour reopens",
        bylines=[BylineSpec(author=author)],
        placements=[PlacementSpec(image=photo, role="lead")],
    )


def url_of(page, article):
    if page == "article":
        return article.get_absolute_url()
    return page.format(y=article.pub_date.year)


def warm_up(client):
    client.get("/robots.txt")  # the sites framework caches the request's site per process


# --- Validators and 304 ----------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_public_pages_carry_validators_and_cache_control(client, article, page):
    response = client.get(url_of(page, article))
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("cached", [True, False])
def test_matching_conditional_requests_answer_304(client, article, page, cached, settings):
    if not cached:
        settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGE_CACHE_TIMEOUT": 0}
    url = url_of(page, article)
    first = client.get(url)
    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]
    assert by_etag["Cache-Control"].startswith("public")
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


@pytest.mark.parametrize("page", PAGES)
def test_stale_conditional_requests_get_the_page(client, article, page):
    url = url_of(page, article)
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    long_ago = http_date((timezone.now() - timedelta(days=400)).timestamp())
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=long_ago).status_code == 200


@pytest.fixture
def no_page_cache(settings):
    # The tests using this write with queryset.update() (no signals): turn the fragment
    # cache off too (edits through the services: tests/test_fragments.py).
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGE_CACHE_TIMEOUT": 0, "FRAGMENT_CACHE_TIMEOUT": 0}


def later(model, obj, field, minutes=5):
    """Move a timestamp into the future, as if the change happened minutes later
    (Last-Modified counts whole seconds)."""
    moment = timezone.now() + timedelta(minutes=minutes)
    model.objects.filter(pk=obj.pk).update(**{field: moment})
    return moment


def test_article_last_modified_follows_its_photos(client, article, no_page_cache):
    from articles.models import Image

    first = client.get(article.get_absolute_url())
    moment = later(Image, article.placements.get().image, "updated_at")
    second = client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert second.status_code == 200
    assert second["Last-Modified"] == http_date(moment.timestamp())


def test_article_last_modified_follows_the_sites_settings(client, site, article, no_page_cache):
    first = client.get(article.get_absolute_url())
    later(SiteSettings, SiteSettings.objects.get(site=site), "updated_at")
    assert client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


def test_list_last_modified_follows_a_withdrawal(client, site, article, no_page_cache):
    """A withdrawn article is not on the list any more, but the list changed."""
    from articles.models import Article

    other = make_article(site, headline="Another")
    first = client.get("/")
    services.article_withdraw(article=other, reason="")
    later(Article, other, "modified_at")
    second = client.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert second.status_code == 200
    assert b"Another" not in second.content


def test_list_last_modified_follows_a_release(client, site, article, no_page_cache):
    """A scheduled article that comes due changes the list without any write."""
    from articles.models import Article, Author, Image

    due = make_article(site, headline="Due", published_at=timezone.now() + timedelta(minutes=10))
    hour_ago = timezone.now() - timedelta(hours=1)
    Article.objects.update(modified_at=hour_ago)  # everything else happened an hour ago
    Article.objects.exclude(pk=due.pk).update(published_at=hour_ago)
    SiteSettings.objects.update(updated_at=hour_ago)
    Image.objects.update(updated_at=hour_ago)
    Author.objects.update(updated_at=hour_ago)
    first = client.get("/")
    assert b"Due" not in first.content
    Article.objects.filter(pk=due.pk).update(published_at=timezone.now() - timedelta(seconds=1))  # comes due
    second = client.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert second.status_code == 200
    assert b"Due" in second.content


# --- The page cache --------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_a_cached_page_runs_no_query(client, article, page, django_assert_num_queries):
    url = url_of(page, article)
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert not_modified.status_code == 304


def test_withdrawn_page_is_cached_too(client, article, django_assert_num_queries):
    services.article_withdraw(article=article, reason="Legal.")
    assert client.get(article.get_absolute_url()).status_code == 410
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url()).status_code == 410


def test_unrelated_query_parameters_share_the_cached_page(client, article, django_assert_num_queries):
    client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url() + "?utm_source=newsletter&fbclid=x")
    assert response.status_code == 200


def test_pages_of_a_list_are_cached_apart(client, site, settings):
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGINATE_BY": 1}
    make_article(site, headline="First", published_at=timezone.now() - timedelta(hours=1))
    make_article(site, headline="Second", published_at=timezone.now() - timedelta(hours=2))
    assert b"First" in client.get("/").content
    assert b"Second" in client.get("/?page=2").content


def test_requests_with_a_session_skip_the_cache(client, article, admin_user, django_assert_max_num_queries):
    client.get(article.get_absolute_url())
    client.force_login(admin_user)
    with django_assert_max_num_queries(20) as captured:
        client.get(article.get_absolute_url())
    assert len(captured) > 0


def test_search_pages_are_not_stored(client, article, django_assert_max_num_queries):
    client.get("/search/?q=harbour")
    with django_assert_max_num_queries(10) as captured:
        response = client.get("/search/?q=harbour")
    assert len(captured) > 0
    assert response["Cache-Control"] == "public, max-age=300"


def test_error_pages_are_not_cached(client, site, django_assert_max_num_queries):
    client.get("/2020/01/01/nothing/")
    with django_assert_max_num_queries(10) as captured:
        assert client.get("/2020/01/01/nothing/").status_code == 404
    assert len(captured) > 0


def test_pages_with_cookies_are_not_stored(rf, site):
    from django.http import HttpResponse

    @pagecache.archive_page
    def view(request):
        response = HttpResponse("hello")
        response.set_cookie("tracking", "1")
        return response

    request = rf.get("/anything/")
    request.site = site
    assert view(request).cookies
    assert cache.get(pagecache._page_key(request, ("page",))) is None


def test_generation_restarts_above_any_earlier_value_when_evicted(site):
    before = pagecache.generations(site.pk)
    cache.clear()
    after = pagecache.generations(site.pk)
    assert after[0] > before[0] and after[1] > before[1]


# --- Freshness -------------------------------------------------------------------------


def test_front_page_expires_when_a_scheduled_article_is_due(client, site, article):
    make_article(site, headline="Soon", published_at=timezone.now() + timedelta(seconds=90))
    response = client.get("/")
    max_age = int(response["Cache-Control"].split("max-age=")[1])
    assert 0 < max_age <= 90


def test_article_expires_when_a_commenting_suspension_ends(client, site, article):
    SiteSettings.objects.filter(site=site).update(
        comments_suspended_until=timezone.now() + timedelta(seconds=120), comments_notice="Paused."
    )
    response = client.get(article.get_absolute_url())
    assert b"Paused." in response.content
    max_age = int(response["Cache-Control"].split("max-age=")[1])
    assert 0 < max_age <= 120


def test_cache_entry_lifetime_follows_freshness(client, site, article, monkeypatch):
    SiteSettings.objects.filter(site=site).update(comments_suspended_until=timezone.now() + timedelta(seconds=20))
    stored = []
    original = cache.set
    monkeypatch.setattr(
        cache, "set", lambda key, value, timeout=None: stored.append(timeout) or original(key, value, timeout)
    )
    client.get(article.get_absolute_url())
    assert stored and 0 < stored[-1] <= 20


# --- Invalidation after commit ---------------------------------------------------------


def fetch(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code in {200, 410}
    return response.content


def test_edit_through_the_services_shows_on_the_next_request(client, article, django_capture_on_commit_callbacks):
    assert b"Harbour reopens" in fetch(client, article.get_absolute_url())
    assert b"Harbour reopens" in fetch(client, "/")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.article_update(article=article, headline="Harbour wall reopens at last")
    assert callbacks  # the cache is dropped after the commit
    assert b"Harbour wall reopens at last" in fetch(client, article.get_absolute_url())
    assert b"Harbour wall reopens at last" in fetch(client, "/")
    assert b"Harbour wall reopens at last" in fetch(client, "/feeds/rss/")


def test_commit_drops_pages_cached_meanwhile_by_other_connections(
    client, rf, site, article, django_capture_on_commit_callbacks
):
    """Another connection, still reading the old row, may cache the old page between the
    write and the commit: the drop after the commit keeps it from being served."""
    url = article.get_absolute_url()
    fetch(client, url)
    request = rf.get(url)
    request.site = site
    old_entry = cache.get(pagecache._page_key(request, ()))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.article_update(article=article, headline="Harbour wall reopens at last")
        cache.set(pagecache._page_key(request, ()), old_entry)  # the other connection
        assert b"Harbour reopens" in fetch(client, url)
    assert callbacks
    for callback in callbacks:
        callback()
    assert b"Harbour wall reopens at last" in fetch(client, url)


def test_new_byline_shows(client, article, django_capture_on_commit_callbacks):
    fetch(client, article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(article=article, bylines=[BylineSpec(author=factories.AuthorFactory(name="Bo Berg"))])
    assert b'By <a class="byline-name" href="/authors/' in fetch(client, article.get_absolute_url())
    assert b"Bo Berg" in fetch(client, article.get_absolute_url())


def test_photo_caption_edit_shows(client, article, django_capture_on_commit_callbacks):
    fetch(client, article.get_absolute_url())
    image = article.placements.get().image
    with django_capture_on_commit_callbacks(execute=True):
        services.image_update(image=image, caption="Fishing boats return to the harbour.")
    assert b"Fishing boats return to the harbour." in fetch(client, article.get_absolute_url())


def test_author_rename_shows(client, article, django_capture_on_commit_callbacks):
    fetch(client, "/")
    author = article.bylines.get().author
    author.name = "Ann Ames-Berg"
    with django_capture_on_commit_callbacks(execute=True):
        services.author_save(author=author)
    assert b"Ann Ames-Berg" in fetch(client, "/")


def test_correction_shows(client, article, django_capture_on_commit_callbacks):
    fetch(client, article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.correction_add(article=article, text="The wall is 410 metres long.")
    assert b"The wall is 410 metres long." in fetch(client, article.get_absolute_url())


def test_commenting_switch_shows(client, site, article, django_capture_on_commit_callbacks):
    assert b"comments-notice" not in fetch(client, article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.sites_set_commenting(sites=[site], enabled=False, notice="We are pausing comments.")
    assert b"We are pausing comments." in fetch(client, article.get_absolute_url())


def test_withdrawal_shows(client, article, django_capture_on_commit_callbacks):
    fetch(client, article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=article, reason="Legal.")
    assert client.get(article.get_absolute_url()).status_code == 410
    assert b"Harbour reopens" not in fetch(client, "/")


def test_syndication_shows_on_the_other_site(client, site, article, settings, django_capture_on_commit_callbacks):
    from django.contrib.sites.models import Site

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example"]
    other = Site.objects.create(domain="other.example", name="Other")
    assert b"Harbour reopens" not in client.get("/", HTTP_HOST="other.example").content
    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(article=article, sites=[other])
    assert b"Harbour reopens" in client.get("/", HTTP_HOST="other.example").content


def test_other_sites_keep_their_cache(client, site, article, settings, django_capture_on_commit_callbacks):
    from django.contrib.sites.models import Site

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example"]
    other = Site.objects.create(domain="other.example", name="Other")
    SiteSettings.objects.create(site=other)
    before = pagecache.generations(other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(article=article, headline="Only here")
    assert pagecache.generations(other.pk) == before


@pytest.mark.redis
def test_invalidation_works_on_redis(client, article, settings, redis_url, django_capture_on_commit_callbacks):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    from django.core.cache import caches

    caches["default"].clear()
    try:
        fetch(client, article.get_absolute_url())
        with django_capture_on_commit_callbacks(execute=True):
            services.article_update(article=article, headline="Redis sees the edit")
        assert b"Redis sees the edit" in fetch(client, article.get_absolute_url())
    finally:
        caches["default"].clear()
