"""The page cache on a real Redis that is briefly unreachable (cms/cache.py): an edit
committed while this process's circuit breaker is open must not leave stale pages behind,
and nothing read while the generations are unknown is stored."""

import os
import time
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import TimeoutError as RedisTimeoutError

from articles import pagecache, services
from tests.test_views import make_article

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_cache(settings, redis_url):
    """The production cache backend on the test Redis, under keys of this test alone."""
    prefix = f"test-resilience-{os.getpid()}-{time.time_ns()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"RETRY_AFTER": 60},
        }
    }
    pagecache._lost_bump.clear()
    cache = caches["default"]
    yield cache
    pagecache._lost_bump.clear()
    cache._open_until = 0.0
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def stored_page_keys(cache) -> list[bytes]:
    return list(cache._cache.get_client(write=True).scan_iter(f"{cache.key_prefix}:*archive:page*"))


def test_an_edit_committed_while_redis_timed_out_leaves_no_stale_page(
    client, site, redis_cache, django_capture_on_commit_callbacks
):
    article = make_article(site, headline="Harbour reopens")
    path = article.get_absolute_url()
    assert b"Harbour reopens" in client.get(path).content
    assert stored_page_keys(redis_cache)  # the page is in Redis

    # One socket timeout on the bump opens this process's breaker: the edit's bumps fail.
    timeout = mock.patch.object(RedisCache, "incr", side_effect=RedisTimeoutError("Timeout reading from socket"))
    with timeout, django_capture_on_commit_callbacks(execute=True):
        services.article_update(article=article, headline="Harbour closes again")
    assert not redis_cache.available

    redis_cache._open_until = 0.0  # RETRY_AFTER has passed; Redis answers again
    page = client.get(path)
    assert b"Harbour closes again" in page.content
    assert b"Harbour reopens" not in page.content
    assert b"Harbour closes again" in client.get("/").content


def test_nothing_is_cached_under_generations_read_while_redis_was_down(client, site, redis_cache, monkeypatch):
    article = make_article(site)
    real_generations = pagecache.generations

    def read_during_an_outage(site_id):
        redis_cache._open_until = time.monotonic() + 60  # the breaker is open…
        try:
            return real_generations(site_id)
        finally:
            redis_cache._open_until = 0.0  # …and closes before the page is stored

    monkeypatch.setattr(pagecache, "generations", read_during_an_outage)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
    assert stored_page_keys(redis_cache) == []
