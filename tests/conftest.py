"""Shared fixtures. Tests never touch the real media/ folder and use a fast password hasher."""

import os

import pytest
from django.contrib.sites.models import Site

from articles.models import SiteSettings

from . import factories


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated data (sites, groups, content types).

    A transactional test ends with a flush. Without serialized rollback that flush re-runs
    post_migrate, which recreates content types under new ids, and the next test that does
    restore the serialized data then collides with them (UNIQUE django_content_type). With
    every transactional test serialized, the flush leaves the tables empty and each such test
    starts from the same migrated state, whatever order they run in.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        if marker is not None:
            if not marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback"):
                continue
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
        elif "transactional_db" in fixtures or "live_server" in fixtures:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False)


@pytest.fixture(autouse=True)
def _media_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # The local-memory cache (page cache, throttles, rate limits) outlives each test's
    # database; start every test from an empty one.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _clear_site_cache():
    # The sites framework caches Site rows per process; tests create and change them.
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


@pytest.fixture
def site(db):
    """The default site (seeded by migration) with its settings row."""
    site = Site.objects.get(pk=1)
    SiteSettings.objects.get_or_create(site=site)
    return site


@pytest.fixture
def published_article(site):
    return factories.published_article(site=site)


@pytest.fixture
def editor(db):
    return factories.user_in_group("Editor", username="editor")


@pytest.fixture
def contributor(db):
    return factories.user_in_group("Contributor", username="contributor")


@pytest.fixture
def admin_user_client(client, admin_user):
    client.force_login(admin_user)
    return client


def database_vendor() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"


@pytest.fixture(scope="session", autouse=True)
def _postgres_must_answer(request):
    """When DATABASE_URL names PostgreSQL, an unreachable server fails the run: it never
    falls back to SQLite or skips silently."""
    if database_vendor() != "postgresql":
        return
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as error:
        pytest.exit(f"DATABASE_URL names PostgreSQL but it cannot be reached: {error}", returncode=3)


@pytest.fixture
def redis_url():
    """A reachable Redis URL, or skip: tests that need a real Redis say so."""
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/1")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {url} ({error}); start it to run this test")
    return url
