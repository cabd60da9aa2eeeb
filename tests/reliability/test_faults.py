"""Faults (issue 9, item 3): PostgreSQL or Redis down while the app runs, and an import or
export killed half-way.

- Unit level, on the suite's own database (SQLite or PostgreSQL): a database error is a 503
  with a short message and ``Retry-After`` (HTML for pages, JSON under /api/, the health
  report on /healthz), never a traceback or a 500; a dead Redis is a cache miss.
- Live: our own throwaway PostgreSQL cluster and Redis on free loopback ports (never the
  shared ones on 5432/6379), the app under gunicorn with production settings; the services
  are stopped and started under it and it must recover without a restart.
- Interrupted import/export: ``import_articles`` and ``export_articles`` killed with
  SIGKILL half-way, in a scratch database of their own.
"""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.conftest import database_vendor

from .liveservices import PrivatePostgres, PrivateRedis, children, free_port, get, wait_until

ROOT = Path(__file__).resolve().parents[2]
ARTICLE_HREF = re.compile(r'href="(/\d{4}/\d{2}/\d{2}/[^"/]+/)"')


# --- Unit level: the 503 handler and the resilient cache, no service control ------------


def _database_down():
    return mock.patch.object(
        connections["default"], "ensure_connection", side_effect=OperationalError("connection refused")
    )


def _assert_short_503(response, *, json_body: bool):
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    body = response.content.decode()
    assert "Traceback" not in body and "OperationalError" not in body
    assert len(body) < 2000
    if json_body:
        assert response["Content-Type"] == "application/json"
        assert "temporarily unavailable (database down)" in response.json()["detail"]
    else:
        assert response["Content-Type"].startswith("text/html")
        assert "Temporarily unavailable" in body


@pytest.mark.django_db
def test_fault_database_error_answers_503_on_pages_api_and_healthz(published_article, caplog, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr("articles.unavailable._last_logged", {})

    client = Client(raise_request_exception=False)
    assert client.get("/").status_code == 200  # the site is now cached: the views' queries fail
    with _database_down():
        assert client.get("/").status_code == 200  # a page in the page cache needs no database
        cache.clear()
        _assert_short_503(client.get("/"), json_body=False)
        _assert_short_503(client.get(published_article.get_absolute_url()), json_body=False)
        _assert_short_503(client.get("/api/v1/articles/"), json_body=True)  # DRF's handler
        _assert_short_503(client.get(f"/api/v1/articles/{published_article.pk}/"), json_body=True)
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health["Retry-After"].isdigit()
    assert health.json()["status"] == "unavailable"
    assert health.json()["checks"]["database"] == "down: OperationalError"
    # One log line for the outage, not a traceback (and a mail to ADMINS) per request.
    outage_lines = [r for r in caplog.records if r.name == "articles.unavailable"]
    assert len(outage_lines) == 1 and "database is unavailable" in outage_lines[0].getMessage()
    assert not [r for r in caplog.records if r.name == "django.request" and r.status_code == 503]


@pytest.mark.django_db
def test_fault_database_down_before_the_view_runs_is_503_too(site):
    # Cold site cache: CurrentSiteMiddleware's own query fails, before any view or DRF.
    client = Client(raise_request_exception=False)
    with _database_down():
        _assert_short_503(client.get("/"), json_body=False)
        _assert_short_503(client.get("/api/v1/articles/"), json_body=True)
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["database"].startswith("down")


@pytest.mark.django_db
def test_fault_redis_error_escaping_the_cache_is_503_not_500(published_article):
    from django.core.cache import caches

    client = Client(raise_request_exception=False)
    client.get("/")
    failing = mock.patch.object(caches["default"], "get_many", side_effect=RedisConnectionError("refused"))
    with failing:  # as Django's own RedisCache does when Redis is gone
        response = client.get("/")
    assert response.status_code == 503
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_fault_dead_redis_is_a_cache_miss_not_an_error(settings, published_article):
    port = free_port()  # nothing listens there
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5, "RETRY_AFTER": 60},
        }
    }
    from django.core.cache import cache

    started = time.monotonic()
    client = Client(raise_request_exception=False)
    for url in ("/", published_article.get_absolute_url(), "/api/v1/articles/") * 5:
        assert client.get(url).status_code == 200, url
    assert time.monotonic() - started < 10  # one refused connect, then the breaker is open
    assert cache.get("anything", "miss") == "miss"
    assert cache.add("key", 1) is False
    with pytest.raises(ValueError):
        cache.incr("counter")
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"] == {"database": "ok", "cache": "down: ConnectionError"}


# --- Live: our own PostgreSQL, Redis and gunicorn ----------------------------------------


def _production_env(tmp: Path, *, database_url: str, redis_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "STATIC_ROOT", "MEDIA_ROOT", "SECRET_KEY"):
        env.pop(name, None)
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=uuid.uuid4().hex + uuid.uuid4().hex,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback; the proxy does TLS
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_RETRY_AFTER="0.5",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(code: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    script = f"import django; django.setup()\nfrom django.core.management import call_command\n{code}"
    env = {**env, "DJANGO_SETTINGS_MODULE": "cms.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture
def live_app(tmp_path):
    """gunicorn (2 workers, production settings) on our own PostgreSQL cluster and Redis."""
    postgres = PrivatePostgres.create_or_skip()
    redis_server = PrivateRedis.start_or_skip()
    gunicorn = None
    try:
        env = _production_env(tmp_path, database_url=postgres.url, redis_url=redis_server.url)
        _run(
            "call_command('migrate', verbosity=0); call_command('seed_demo', verbosity=0);"
            " call_command('collectstatic', interactive=False, verbosity=0)",
            env,
        )
        port = free_port()
        log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "2", "cms.wsgi:application"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: get(base + "/healthz")[0] == 200, 30, "gunicorn to answer /healthz")
        wait_until(lambda: len(children(gunicorn.pid)) == 2, 30, "both gunicorn workers")
        yield {"base": base, "postgres": postgres, "redis": redis_server, "gunicorn": gunicorn}
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(15)
            log.close()
        redis_server.destroy()
        postgres.destroy()


def test_fault_live_database_and_cache_outages_answer_503_or_degrade_and_recover(live_app):
    base, postgres, redis_server = live_app["base"], live_app["postgres"], live_app["redis"]
    workers = children(live_app["gunicorn"].pid)
    article = ARTICLE_HREF.search(get(base + "/")[2]).group(1)
    pages, api = ["/", article, "/search/?q=harbour"], ["/api/v1/articles/"]
    for url in pages + api + ["/healthz"]:
        assert get(base + url)[0] == 200, url

    postgres.stop()
    for _ in range(3):  # every worker, several times
        # Pages already in the page cache (Redis) may still be served; nothing else can be.
        for url in pages:
            status, headers, body = get(base + url)
            if status == 200 and not url.startswith("/search/"):
                continue
            assert (status, headers["Content-Type"][:9]) == (503, "text/html"), url
            assert "Temporarily unavailable" in body and "Traceback" not in body and len(body) < 2000
            assert headers["Retry-After"].isdigit()
        status, headers, body = get(base + api[0])
        assert status == 503 and headers["Retry-After"].isdigit()
        assert "database down" in json.loads(body)["detail"]
    status, headers, body = get(base + "/healthz")
    assert status == 503
    assert json.loads(body)["checks"]["database"].startswith("down")

    postgres.start()  # gunicorn is not restarted: persistent connections are health-checked
    for _ in range(3):
        for url in pages + api:
            assert get(base + url)[0] == 200, url
    assert json.loads(get(base + "/healthz")[2])["status"] == "ok"
    assert live_app["gunicorn"].poll() is None

    redis_server.stop()
    started = time.monotonic()
    for _ in range(3):
        for url in pages + api:
            assert get(base + url)[0] == 200, url  # served uncached
    assert time.monotonic() - started < 10
    status, _, body = get(base + "/healthz")
    assert status == 200
    assert json.loads(body)["status"] == "degraded"
    assert json.loads(body)["checks"]["cache"].startswith("down")

    redis_server.start()  # empty: no persistence

    def cache_used_again():
        for url in pages:
            get(base + url)
        return bool(redis_server.client().keys("*archive:page*"))

    wait_until(cache_used_again, 10, "pages to be cached on Redis again")
    assert json.loads(get(base + "/healthz")[2])["status"] == "ok"
    assert children(live_app["gunicorn"].pid) == workers  # no worker died or was replaced


# --- Interrupted import and export ------------------------------------------------------

ARTICLES = 150


def _backup(path: Path, count: int) -> None:
    """A JSON Lines backup (as ``export_articles`` writes it) of ``count`` published articles:
    2 bylines, 1 photo, 1 tag, 3 revisions, and a correction on every tenth."""
    start = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"type": "header", "format": "newsroom-backup", "version": 1}) + "\n")
        for n in range(count):
            at = start + timedelta(minutes=37 * n)
            body = f"<p>Story {n} about the harbour, the council and the ferry timetable.</p>" * 6
            people = [
                {"name": f"Reporter {k}", "slug": f"reporter-{k}", "kind": "person"} for k in (n % 50, n % 50 + 50)
            ]
            record = {
                "type": "article",
                "site": {"id": 1, "domain": "example.com", "name": "example.com"},
                "sites": [],
                "article": {
                    "id": n + 1,
                    "headline": f"Story {n}: council votes on the harbour plan",
                    "slug": f"story-{n}",
                    "dek": "",
                    "body": body,
                    "language": "en",
                    "status": "published",
                    "published_at": at.isoformat(),
                    "pub_date": at.date().isoformat(),
                    "created_at": (at - timedelta(hours=1)).isoformat(),
                    "modified_at": at.isoformat(),
                    "version": 3,
                    "section": {"slug": "local", "name": "Local"},
                },  # fmt: skip
                "tags": [{"slug": "harbour", "name": "Harbour"}],
                "bylines": [{"position": i, "role": "author", "author": a} for i, a in enumerate(people)],
                "placements": [
                    {
                        "position": 0,
                        "role": "lead",
                        "image": {
                            "alt_text": f"Photo {n}",
                            "creator": "Ana Reis",
                            "created_at": at.isoformat(),
                            "updated_at": at.isoformat(),
                        },
                    }
                ],  # fmt: skip
                "corrections": [
                    {"kind": "correction", "text": "Name fixed.", "created_at": at.isoformat(), "revision": 3}
                ]
                if n % 10 == 0
                else [],
                "revisions": [
                    {
                        "number": k,
                        "snapshot": {"headline": f"Story {n}", "slug": f"story-{n}", "body": body},
                        "status": "published" if k > 1 else "draft",
                        "is_published": k > 1,
                        "message": "",
                        "user": None,
                        "created_at": (at + timedelta(minutes=k)).isoformat(),
                    }
                    for k in (1, 2, 3)
                ],  # fmt: skip
                "slug_history": [],
            }
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A migrated database of its own (a SQLite file, or a database on the suite's
    PostgreSQL server) and a backup of ``ARTICLES`` articles to import into it."""
    folder = tmp_path_factory.mktemp("fault-import")
    created = None
    if database_vendor() == "postgresql":
        import psycopg
        from django.conf import settings

        db = settings.DATABASES["default"]
        name = f"newsroom_fault_{os.getpid()}"
        admin = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname="postgres")
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        created = (admin, name)
        url = f"postgres://{db['USER']}@{admin['host']}:{admin['port']}/{name}"
        connect = lambda: psycopg.connect(**{**admin, "dbname": name}, autocommit=True)  # noqa: E731
    else:
        url = f"sqlite:///{folder / 'scratch.sqlite3'}"
        connect = lambda: sqlite3.connect(folder / "scratch.sqlite3", timeout=20)  # noqa: E731
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in {"REDIS_URL", "CACHE_URL"}}
    env.update(DATABASE_URL=url, MEDIA_ROOT=str(folder / "media"), PYTHONPATH=str(ROOT))
    _run("call_command('migrate', verbosity=0)", env)
    _backup(folder / "backup.jsonl", ARTICLES)
    yield {"env": env, "connect": connect, "backup": folder / "backup.jsonl", "folder": folder}
    if created is not None:
        admin, name = created
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _census(connect) -> dict:
    """Per article: bylines, photos, tags, revisions, corrections; and the row totals."""
    from articles.models import Article, ArticleImage, Byline, Correction, Image, Revision

    counts = {}
    with connect() as conn:
        for name, model in (("bylines", Byline), ("photos", ArticleImage), ("revisions", Revision),
                            ("corrections", Correction), ("tags", Article.tags.through)):  # fmt: skip
            rows = conn.execute(f"SELECT article_id, COUNT(*) FROM {model._meta.db_table} GROUP BY article_id")  # noqa: S608
            counts[name] = dict(rows.fetchall())
        ids = [row[0] for row in conn.execute(f"SELECT id FROM {Article._meta.db_table}").fetchall()]  # noqa: S608
        images = conn.execute(f"SELECT COUNT(*) FROM {Image._meta.db_table}").fetchone()[0]  # noqa: S608
    return {"ids": sorted(ids), "counts": counts, "images": images}


def _assert_whole(census: dict) -> None:
    """Every article present has everything its record had, and nothing else was left."""
    for pk in census["ids"]:
        got = {name: per_article.get(pk, 0) for name, per_article in census["counts"].items()}
        expected = {"bylines": 2, "photos": 1, "revisions": 3, "tags": 1, "corrections": int((pk - 1) % 10 == 0)}
        assert got == expected, f"article {pk} is half-written: {got}"
    for name, per_article in census["counts"].items():
        assert set(per_article) <= set(census["ids"]), f"{name} rows of missing articles"
    assert census["images"] == len(census["ids"])  # no orphan photo from a cut transaction


def test_fault_import_killed_half_way_leaves_whole_articles_and_reruns(scratch):
    env, connect = scratch["env"], scratch["connect"]
    importing = _manage(env, "import_articles", str(scratch["backup"]))
    wait_until(lambda: importing.poll() is not None or len(_census(connect)["ids"]) >= 20, 120, "20 articles")
    importing.send_signal(signal.SIGKILL)
    importing.wait(10)
    assert importing.returncode == -signal.SIGKILL, "the import ended before it could be interrupted"
    cut = _census(connect)
    assert 0 < len(cut["ids"]) < ARTICLES, "the import was not interrupted half-way"
    _assert_whole(cut)

    rerun = _manage(env, "import_articles", "-v0", str(scratch["backup"]))
    output = rerun.communicate(timeout=300)[0].decode()
    assert rerun.returncode == 0, output[-2000:]
    assert f"unchanged {len(cut['ids'])}" in output and f"created {ARTICLES - len(cut['ids'])}" in output
    full = _census(connect)
    assert full["ids"] == list(range(1, ARTICLES + 1))
    _assert_whole(full)


def test_fault_export_killed_half_way_leaves_no_file_under_the_final_name(scratch):
    from warcio.archiveiterator import ArchiveIterator

    env = scratch["env"]
    if len(_census(scratch["connect"])["ids"]) < ARTICLES:
        done = _manage(env, "import_articles", "-v0", str(scratch["backup"]))
        assert done.wait(300) == 0
    target = scratch["folder"] / "archive.warc.gz"
    partial = target.with_name(target.name + ".part")
    exporting = _manage(env, "export_articles", "--format", "warc", "--out", str(target))
    under_way = lambda: partial.exists() and partial.stat().st_size > 50_000  # noqa: E731
    wait_until(lambda: exporting.poll() is not None or under_way(), 120, "the export to be under way")
    exporting.send_signal(signal.SIGKILL)
    exporting.wait(10)
    assert exporting.returncode == -signal.SIGKILL, "the export ended before it could be interrupted"
    assert not target.exists(), "a killed export left a file under the final name"

    rerun = _manage(env, "export_articles", "--format", "warc", "--out", str(target))
    output = rerun.communicate(timeout=300)[0].decode()
    assert rerun.returncode == 0, output[-2000:]
    assert target.exists() and not partial.exists()
    with open(target, "rb") as stream:
        pages = sum(
            1
            for record in ArchiveIterator(stream)
            if record.rec_type == "response" and "/story-" in record.rec_headers.get_header("WARC-Target-URI")
        )
    assert pages == ARTICLES
