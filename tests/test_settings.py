"""Settings come from the environment with safe defaults; production refuses unsafe ones.
(The missing secret key and check --deploy are SEC-02 and SEC-01 in tests/reliability/test_sec.py.)"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz-_ABCDEFG"


def run_settings(code: str, **env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with only the given variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in {"DATABASE_URL"}}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings as s; {code}"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_development_defaults_are_sqlite_locmem_and_debug():
    result = run_settings(
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.TIME_ZONE, s.USE_TZ,"
        " s.DATABASES['default']['CONN_MAX_AGE'])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "UTC",
        "True",
        "60",
    ]


def test_database_and_cache_urls_are_read():
    result = run_settings(
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CACHES['default']['BACKEND'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/newsroom",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "newsroom",
        "cms.cache.ResilientRedisCache",  # Django's RedisCache that treats a dead Redis as a miss
    ]


@pytest.mark.parametrize("key", ["short", "django-insecure-" + "x" * 60, "a" * 60])
def test_production_refuses_a_weak_secret_key(key):
    result = run_settings(
        "print(s.DEBUG)", DJANGO_ENV="production", DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="news.example.org"
    )
    assert result.returncode != 0
    assert "too weak for production" in result.stderr


def test_production_refuses_wildcard_hosts():
    result = run_settings("print(1)", DJANGO_ENV="production", DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_ALLOWED_HOSTS="*")
    assert "must list real host names" in result.stderr


def test_production_is_hardened_and_debug_off():
    result = run_settings(
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,  # the unprefixed name works too
        ALLOWED_HOSTS="news.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "31536000", "True", "True"]


def test_cache_url_for_redis_works(redis_url, settings):
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    cache = caches.create_connection("default")
    cache.set("settings-test", "round trip", 10)
    assert cache.get("settings-test") == "round trip"
    cache.delete("settings-test")


def test_an_unreachable_postgresql_fails_the_run_instead_of_falling_back():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:1/newsroom_unreachable"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_credits.py::test_image_credit_line_uses_override_first"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 3  # pytest.exit from tests/conftest.py, before any test runs
    assert "DATABASE_URL names PostgreSQL but it cannot be reached" in result.stdout + result.stderr
