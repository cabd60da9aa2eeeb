"""Review findings (security and reliability): login throttle names compared as Django's
login compares them and counted atomically on Redis; a too deeply nested JSON body is a
400; only a database that cannot be reached is a quiet 503; a search of punctuation finds
nothing; a refused upload body answers JSON under /api/."""

import json
import threading
from collections import Counter
from unittest import mock

import pytest
from django.core.exceptions import RequestDataTooBig
from django.db import connection, transaction
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from articles import uploads
from articles.login_throttle import LoginRateThrottle
from articles.search import search_articles

from .dbstate import db_unchanged
from .test_img import API as IMAGES_API
from .test_img import THIRTY_MB, LazyBody, wsgi_post
from .test_sec import login_attempts, no_server_errors

API = "/api/v1"

# --- Login throttle ----------------------------------------------------------------------------

# Django's login form reads each of these as "editor" (NFKC): one count for all of them.
VARIANTS = ["editor", "ｅditor", "𝐞ditor", "EDITOR", "ｅｄｉｔｏｒ", "𝐞𝐝𝐢𝐭𝐨𝐫"]


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/admin/login/"])
def test_login_throttle_counts_compatibility_variants_of_a_name_as_one(db, editor, url):
    client = Client(raise_request_exception=False)
    statuses = [login_attempts(client, url, name, 1)[0] for name in VARIANTS]
    assert statuses[:5].count(429) == 0 and statuses[5] == 429, statuses


def _login_request(name="editor"):
    return RequestFactory().post("/admin/login/", {"username": name, "password": "wrong"}, REMOTE_ADDR="192.0.2.7")


def test_login_throttle_counts_a_burst_from_eight_workers_exactly_on_redis(redis_cache, monkeypatch):
    """300 attempts from 8 threads, each with its own Redis connection: exactly the rate is
    let through (DRF's read-modify-write of the history loses counts under a burst)."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "100/min")
    answers = Counter()
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        for index in range(300 // 8 + 1):
            answers[LoginRateThrottle().allow_request(_login_request(VARIANTS[index % len(VARIANTS)]), None)] += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers[True] == 100
    throttle = LoginRateThrottle()
    assert throttle.allow_request(_login_request(), None) is False
    assert 0 < throttle.wait() <= 60
    assert LoginRateThrottle().allow_request(_login_request("someone-else"), None) is True


# --- Deeply nested JSON --------------------------------------------------------------------------

DEEP = "[" * 100_000


def test_deeply_nested_json_is_a_400_not_a_500(world, api, caplog):
    anonymous = api()
    article = world["published"]
    with db_unchanged():
        for url in (f"{API}/auth/token/", f"{API}/articles/{article.pk}/comments/"):
            response = anonymous.post(url, DEEP, content_type="application/json")
            assert response.status_code == 400, (url, response.status_code)
            assert response["Content-Type"] == "application/json"
            assert "nested too deeply" in response.json()["detail"], url
    no_server_errors(caplog)


# --- Database errors: an outage is a 503, anything else a logged 500 ------------------------------


def _failing_statement(*args, **kwargs):
    """A real database error that is not a connection failure: SQLite's "no such column"
    (a missed migration), PostgreSQL's statement timeout."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")
        else:
            cursor.execute("SELECT no_such_column FROM articles_article")
    raise AssertionError("the statement should have failed")


@pytest.mark.django_db
def test_a_database_error_that_is_not_an_outage_is_a_logged_500(published_article, caplog, monkeypatch):
    monkeypatch.setattr("articles.unavailable._last_logged", {})
    client = Client(raise_request_exception=False)
    with (
        mock.patch("articles.views.search_articles", side_effect=_failing_statement),
        mock.patch("articles.api.filters.search_articles", side_effect=_failing_statement),
    ):
        page = client.get("/search/", {"q": "harbour"})
        listing = client.get(f"{API}/articles/", {"q": "harbour"})
    assert page.status_code == 500 and listing.status_code == 500
    assert "Retry-After" not in page and "Retry-After" not in listing
    assert "Server error" in page.content.decode()
    assert listing.json()["detail"].startswith("Server error")
    assert not [r for r in caplog.records if r.name == "articles.unavailable"]
    logged = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert len(logged) == 2 and all(r.exc_info and r.exc_info[0].__name__ == "OperationalError" for r in logged)


# --- Search of punctuation only -------------------------------------------------------------------


def test_search_of_punctuation_only_finds_nothing_and_an_empty_one_is_unchanged(world, api):
    client = api()
    everything = client.get(f"{API}/articles/").json()["results"]
    assert everything
    for q in ("!!!", "?", "--", "( )"):
        assert client.get(f"{API}/articles/", {"q": q}).json()["results"] == [], q
        page = Client().get("/search/", {"q": q})
        assert page.status_code == 200 and page.context["paginator"].count == 0, q
        assert world["published"].headline not in page.content.decode()
    # An empty q: the API lists everything (no filter), the search page shows no results.
    assert client.get(f"{API}/articles/", {"q": ""}).json()["results"] == everything
    assert "Trams return" not in Client().get("/search/", {"q": ""}).content.decode()
    assert search_articles(world["published"].__class__.objects.all(), "").count() > 0


# --- Refused upload bodies under /api/ -----------------------------------------------------------


def test_upload_cut_short_answers_json_with_the_reason_under_api(editor):
    headers = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=editor).key}"}
    with db_unchanged():
        status, text = wsgi_post(IMAGES_API, LazyBody(THIRTY_MB), 512 * 1024, **headers)
    assert status == 400, text[:300]
    assert json.loads(text) == {"detail": uploads.CUT_SHORT}


def test_upload_too_big_while_parsed_answers_json_under_api_only():
    middleware = uploads.UploadLimitMiddleware(lambda request: None)
    error = RequestDataTooBig(uploads.TOO_LARGE.format(size="more than 10", limit=10))
    response = middleware.process_exception(RequestFactory().post(IMAGES_API), error)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "the limit is 10 bytes" in response.content.decode()
    assert middleware.process_exception(RequestFactory().post("/admin/articles/image/add/"), error) is None
    assert middleware.process_exception(RequestFactory().post(IMAGES_API), ValueError("x")) is None
