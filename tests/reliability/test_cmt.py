"""CMT-01..CMT-08 of RELIABILITY.md: reader comments over the API
(``POST /api/v1/articles/{id}/comments/``) and the article page's form
(``POST /comments/{id}/post/``), on SQLite and PostgreSQL.

CMT-05 and CMT-06 run against a real multi-process server: gunicorn with 4 sync workers on a
free loopback port, sharing the test database (the committed rows of a ``transaction=True``
test: the PostgreSQL test database, or the SQLite test database file) and, for the rate
limit, a Redis cache (database 13, with a secret key of its own so no other run's counters
mix in). They skip with the reason when gunicorn or Redis is missing.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.contrib.sites.models import Site
from django.core import signing
from django.utils import timezone
from rest_framework.test import APIClient

from articles import services
from articles.models import Article, SiteSettings
from comments.forms import SALT, TOKEN_MAX_AGE, form_token
from comments.models import Comment
from tests import factories
from tests.reliability.dbstate import db_unchanged
from tests.reliability.test_img import subprocess_database_url

ROOT = Path(__file__).resolve().parents[2]
NOTICE = "We are temporarily suspending article commenting."


@pytest.fixture
def article(site):
    return factories.published_article(site=site, published_at=timezone.now() - timedelta(days=1))


def token(article_id: int, seconds_ago: int = 60) -> str:
    return signing.dumps({"a": article_id, "t": int(time.time()) - seconds_ago}, salt=SALT, compress=True)


def form_post(client, article_id: int, *, origin="http://testserver", query="", **fields):
    data = {"display_name": "Ana", "body": f"Bring back the trams {uuid.uuid4().hex[:6]}.", "website": ""}
    data["token"] = token(article_id)
    data.update(fields)
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(f"/comments/{article_id}/post/{query}", data, **headers)


def api_post(article_id, headers=None, query="", **fields):
    payload = {"display_name": "Ana", "body": f"The tram was full {uuid.uuid4().hex[:6]}.", **fields}
    return APIClient().post(
        f"/api/v1/articles/{article_id}/comments/{query}", payload, format="json", **(headers or {})
    )


def configure(site, **fields):
    for name, value in fields.items():
        setattr(site.settings, name, value)
    site.settings.save()


# --- CMT-01: site and article toggles ------------------------------------------------------

TOGGLES = {
    "site off": ({"comments_enabled": False, "comments_notice": NOTICE}, {}, NOTICE),
    "site suspended": (
        {"comments_suspended_until": timezone.now() + timedelta(days=1), "comments_notice": NOTICE},
        {},
        NOTICE,
    ),
    "article closed": ({}, {"comments_mode": Article.Comments.CLOSED}, "Comments are closed on this article."),
    "article hidden": ({}, {"comments_mode": Article.Comments.HIDDEN}, ""),
}


@pytest.mark.parametrize("toggle", TOGGLES)
def test_cmt_01_toggles_refuse_with_403(client, site, article, toggle):
    site_fields, article_fields, notice = TOGGLES[toggle]
    configure(site, **site_fields)
    if article_fields:
        Article.objects.filter(pk=article.pk).update(**article_fields)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'class="comment-form"' not in page  # 0 comment forms rendered
    assert notice in page
    with db_unchanged():
        response = api_post(article.pk)
        assert response.status_code == 403, response.content
        assert notice in response.json()["detail"] or toggle == "article hidden"
        html = form_post(client, article.pk)
        assert html.status_code == 403
        assert 'class="comment-form"' not in html.content.decode()
    assert Comment.objects.count() == 0


# --- CMT-02: what may be commented on ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["draft", "trashed", "future-scheduled", "nonexistent"])
def test_cmt_02_target_restriction(client, site, kind):
    article = factories.draft_article(site=site)
    if kind == "trashed":  # DELETE over the API withdraws: the trash
        services.article_publish(article=article)
        services.article_withdraw(article=article)
    elif kind == "future-scheduled":
        services.article_publish(article=article, published_at=timezone.now() + timedelta(days=3))
    pk = article.pk if kind != "nonexistent" else article.pk + 1000
    with db_unchanged():
        assert api_post(pk).status_code == 404
        assert form_post(client, pk).status_code == 404
        assert client.get(f"/comments/{pk}/").status_code == 404


def test_cmt_02_no_other_content_types(client, article, django_user_model):
    """The endpoints name an article by its URL only: a content type or object id in the body
    is refused by the API (unknown field) and ignored by the form."""
    user = django_user_model.objects.create_user("target", "t@example.org", "x")
    with db_unchanged():
        for extra in ({"content_type": "auth.user", "object_pk": user.pk}, {"object_pk": user.pk}):
            response = api_post(article.pk, **extra)
            assert response.status_code == 400
            assert "Unknown field" in str(response.json())
        for bad in ("abc", "1.0", "-1", "0x1", "%201"):
            assert client.post(f"/comments/{bad}/post/", {}).status_code == 404
            assert APIClient().post(f"/api/v1/articles/{bad}/comments/", {}, format="json").status_code == 404
    response = form_post(client, article.pk, content_type="auth.user", object_pk=str(user.pk))
    assert response.status_code == 201
    assert list(Comment.objects.values_list("article_id", flat=True)) == [article.pk]


# --- CMT-03 / CMT-04: the form's anti-replay and fill time --------------------------------------


def test_cmt_03_anti_replay(client, site, article):
    other = factories.published_article(site=site)
    tampered = token(article.pk)[:-3] + ("AAA" if not token(article.pk).endswith("AAA") else "BBB")
    cases = {
        "honeypot": {"website": "http://spam.example"},
        "older than 2 h": {"token": token(article.pk, seconds_ago=2 * 3600 + 5)},
        "tampered signature": {"token": tampered},
        "swapped article": {"token": token(other.pk)},
        "forged payload": {"token": signing.dumps({"a": article.pk, "t": "x"}, salt="other", compress=True)},
        "no token": {"token": ""},
    }
    assert TOKEN_MAX_AGE <= 2 * 3600
    with db_unchanged():
        for name, fields in cases.items():
            response = form_post(client, article.pk, **fields)
            assert response.status_code == 400, name
        assert form_post(client, article.pk, origin="https://evil.example").status_code == 403
        assert form_post(client, article.pk, origin=None).status_code == 403


def test_cmt_04_min_fill_time(client, site, article):
    configure(site, comments_premoderated=False)
    response = form_post(client, article.pk, token=form_token(article.pk))  # sent back at once
    assert response.status_code == 201
    assert Comment.objects.get().status == Comment.Status.PENDING  # held, never public at once
    page = client.get(article.get_absolute_url()).content.decode()
    assert "comment-body" not in page
    form_post(client, article.pk, token=token(article.pk, seconds_ago=4), body="Thought it through.")
    assert Comment.objects.get(body="Thought it through.").status == Comment.Status.APPROVED


# --- CMT-06 (in process) / CMT-07 / CMT-08 --------------------------------------------------------


def test_cmt_06_duplicate_same_day(client, article):
    first = api_post(article.pk, body="Same words twice.")
    assert first.status_code == 201
    with db_unchanged():
        again = api_post(article.pk, body="  same WORDS   twice. ")
        assert again.status_code == 400 and "already posted" in str(again.json())
        form = form_post(client, article.pk, body="Same words twice.")
        assert form.status_code == 400 and "already posted" in form.content.decode()
    assert Comment.objects.count() == 1


def test_cmt_07_link_spam_held_and_links_nofollow(client, site, article):
    configure(site, comments_premoderated=False)
    spam = "see https://a.example and https://b.example and https://c.example"
    assert api_post(article.pk, body=spam).json()["status"] == "pending"
    assert form_post(client, article.pk, body=spam + " again").status_code == 201
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}
    two = api_post(article.pk, body='read <a href="https://ok.example/a">this</a>')  # counts as 2: at the limit
    assert two.json()["status"] == "approved"
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<a href="https://ok.example/a" rel="nofollow ugc noopener">this</a>' in page
    assert "a.example" not in page


EVIL_NEXT = ["https://evil.example", "//evil.example", "/\\evil.example", "https:evil.example"]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_cmt_08_open_redirect(client, article, target):
    """No comment endpoint takes ``next``: given one, in the query or the body, it is
    ignored and no response redirects anywhere."""
    from urllib.parse import quote

    query = f"?next={quote(target, safe='')}"
    responses = [
        form_post(client, article.pk, query=query, next=target),
        api_post(article.pk, query=query),
        client.get(f"/comments/{article.pk}/{query}"),
        form_post(client, article.pk, query=query, next=target, website="spam"),  # a refusal too
    ]
    assert [r.status_code for r in responses] == [201, 201, 200, 400]
    for response in responses:
        assert "Location" not in response
        assert "evil.example" not in response.content.decode()


# --- CMT-05 / CMT-06 against gunicorn (4 workers) ------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(settings, tmp_path, *, redis_url: str | None = None, workers: int = 4):
    binary = Path(sys.executable).with_name("gunicorn")
    if not binary.exists() and not shutil.which("gunicorn"):
        pytest.skip("gunicorn is not installed in the virtualenv")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL", "CACHE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),  # its own rate-limit keys (HMAC of the address)
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=subprocess_database_url(),
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONPATH=str(ROOT),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our virtualenv's gunicorn
        [str(binary), "cms.wsgi:application", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/robots.txt", timeout=10).status_code < 500:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-2000:])
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def server_log(tmp_path) -> str:
    """The end of the gunicorn log, for assertion messages."""
    return (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:]


def live_post(base, article_id, body, headers=None):
    response = requests.post(
        f"{base}/api/v1/articles/{article_id}/comments/",
        json={"display_name": "Ana", "body": body},
        headers=headers or {},
        timeout=60,
    )
    return response.status_code, response.headers.get("Retry-After")


@pytest.mark.django_db(transaction=True)
def test_cmt_05_rate_limit(settings, tmp_path, redis_url):
    site = Site.objects.get(pk=1)
    SiteSettings.objects.get_or_create(site=site)
    article = factories.published_article(site=site, published_at=timezone.now() - timedelta(days=1))
    limit, window = settings.COMMENTS["PER_CLIENT"]
    db_number = 13
    redis_db = f"{redis_url.rsplit('/', 1)[0]}/{db_number}"
    # concurrent posts, so the 4 workers all serve
    with gunicorn(settings, tmp_path, redis_url=redis_db) as base, ThreadPoolExecutor(max_workers=8) as pool:
        direct = list(pool.map(lambda i: live_post(base, article.pk, f"Comment number {i}."), range(20)))
        rotating = list(
            pool.map(
                lambda i: live_post(
                    base, article.pk, f"Rotating comment {i}.", {"X-Forwarded-For": f"203.0.113.{i + 1}"}
                ),
                range(20),
            )
        )
    statuses = Counter(status for status, _ in direct + rotating)
    assert window >= 60  # the 20 posts fall in one window
    assert abs(statuses[201] - limit) <= limit * 0.1, statuses  # allowed = the limit ± 10 %
    assert statuses[201] + statuses[429] == 40, (statuses, server_log(tmp_path))  # the rest 429, 0 5xx
    assert all(int(retry) > 0 for status, retry in direct + rotating if status == 429)
    assert Counter(status for status, _ in rotating)[201] == 0  # rotating X-Forwarded-For buys nothing
    assert Comment.objects.filter(article=article).count() == statuses[201]
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


@pytest.mark.django_db(transaction=True)
def test_cmt_06_concurrent_identical_posts(settings, tmp_path):
    site = Site.objects.get(pk=1)
    SiteSettings.objects.get_or_create(site=site)
    article = factories.published_article(site=site, published_at=timezone.now() - timedelta(days=1))
    with gunicorn(settings, tmp_path) as base, ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: live_post(base, article.pk, "Exactly the same words."), range(20)))
    statuses = Counter(status for status, _ in results)
    assert statuses[201] == 1, (statuses, server_log(tmp_path))
    assert all(status in (201, 400, 429) for status, _ in results), (statuses, server_log(tmp_path))  # 0 5xx
    assert Comment.objects.filter(article=article).count() == 1
