"""RELIABILITY.md SEC-01..SEC-09 (configuration and deployment) and LOAD-04 (login throttle).

"Production settings" are the real ones: a fresh interpreter imports ``cms.settings`` with
``DJANGO_ENV=production`` and reports the values, and in-process tests run with those values.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from importlib.metadata import version
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
import requests
from asgiref.local import Local
from django.conf import settings as django_settings
from django.core import mail
from django.db import ProgrammingError, connection
from django.template.loader import get_template
from django.test import Client
from django.urls import resolve
from django.utils.module_loading import import_string
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

from articles.models import Article, ArticleQuerySet, Tag
from tests.test_settings import STRONG_KEY, run_settings

from .dbstate import db_unchanged

ROOT = Path(__file__).resolve().parents[2]
PROD = {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "news.example.org"}
EVIL = "evil.example"


def prod_value(expression: str, **env):
    """A value of the production settings, as JSON, from a fresh interpreter."""
    result = run_settings(f"import json; print(json.dumps({expression}))", **{**PROD, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def no_server_errors(caplog):
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert not errors, [r.getMessage() for r in errors]


# --- SEC-01 ------------------------------------------------------------------------------------


def test_sec_01_check_deploy_passes_with_at_most_two_justified_silenced_checks():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(PROD)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    silenced = prod_value("s.SILENCED_SYSTEM_CHECKS")
    assert len(silenced) <= 2
    source = (ROOT / "cms" / "settings.py").read_text()
    for check in silenced:  # each one is explained by a comment on its line or the line above
        assert re.search(rf"#[^\n]*\n\s*[^\n]*{re.escape(check)}|{re.escape(check)}[^\n]*#", source), check


# --- SEC-02 ------------------------------------------------------------------------------------

# A hard-coded secret: a key-like name assigned a long literal, Django's insecure prefix, or a
# private key block.
SECRET_ASSIGNMENT = re.compile(
    r"""(?ix)(secret[_-]?key|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?token|password)
        ["']?\s*[:=]\s*[rbf]?["']([^"'\s]{24,})["']"""
)
SECRET_MARKERS = re.compile(r"django-insecure-[A-Za-z0-9]|-----BEGIN [A-Z ]*PRIVATE KEY-----")
# Where keys are allowed: the development key in the settings (refused in production), and
# test data.
ALLOWED_SECRET_PLACES = {"cms/settings.py": "_DEV_SECRET_KEY"}


def test_sec_02_production_needs_a_strong_secret_key_and_the_repo_holds_none():
    result = run_settings("print(s.DEBUG)", DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="news.example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the DJANGO_SECRET_KEY environment variable." in result.stderr

    # A key production accepts passes Django's W009: ≥ 50 characters, ≥ 5 unique, no prefix.
    key = prod_value("s.SECRET_KEY")
    assert len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure-")
    weak = run_settings("print(1)", **{**PROD, "DJANGO_SECRET_KEY": "django-insecure-" + "x1" * 30})
    assert "too weak for production" in weak.stderr

    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    found = []
    for name in filter(None, files.decode().split("\0")):
        if name.startswith("tests/") or not (ROOT / name).is_file():
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if SECRET_MARKERS.search(line) or SECRET_ASSIGNMENT.search(line):
                allowed = ALLOWED_SECRET_PLACES.get(name)
                if allowed is None or allowed not in line:
                    found.append(f"{name}:{number}: {line.strip()[:100]}")
    assert not found, "hard-coded secrets:\n" + "\n".join(found)


# --- SEC-03 ------------------------------------------------------------------------------------

STRICT_REFERRER = {"same-origin", "no-referrer"}


def script_sources(policy: str) -> str:
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    return directives.get("script-src", directives.get("default-src", ""))


def test_sec_03_security_headers_on_one_url_per_pattern(every_url, world, caplog):
    anonymous, staff = Client(raise_request_exception=False), Client(raise_request_exception=False)
    staff.force_login(world["admin"])
    html_pages = 0
    for label, url in every_url + [("admin login (anonymous)", "/admin/login/")]:
        client = staff if url.startswith("/admin/") and "anonymous" not in label else anonymous
        response = client.get(url)
        assert response.status_code < 500, (label, url, response.status_code)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] in STRICT_REFERRER, url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
        if response.get("Content-Type", "").startswith("text/html"):
            html_pages += 1
            policy = response["Content-Security-Policy"]
            scripts = script_sources(policy)
            assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, url
            assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, url
    assert html_pages > 40  # the public pages and the whole admin were among them
    no_server_errors(caplog)


def test_sec_03_public_pages_carry_the_strict_policy(client, world):
    for url in ("/", world["published"].get_absolute_url(), "/archive/2026/", "/search/?q=tram", "/no-such-page/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, url


def test_sec_03_api_docs_run_no_inline_script(client, db):
    page = client.get("/api/docs/")
    assert "'unsafe-inline'" not in script_sources(page["Content-Security-Policy"])
    body = page.content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", body), "inline <script> on the docs page"
    start = re.search(r"""<script[^>]*\ssrc=["'](/api/docs/\?[^"']*)""", body).group(1)
    script = client.get(start.replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_sec_03_a_separate_media_origin_is_allowed_for_images(settings):
    from articles.security import content_security_policy

    settings.MEDIA_URL = "https://media.example.org/newsroom/"
    assert "img-src 'self' data: https://media.example.org" in content_security_policy()


def test_sec_03_hsts_over_tls_in_production(settings, world):
    """No TLS in tests: the production values are checked, then a request marked secure
    (what the proxy's X-Forwarded-Proto: https means) must carry HSTS with them."""
    hsts = prod_value("[s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER]")
    assert hsts[0] >= 31536000 and hsts[1] is True and hsts[2] == ["HTTP_X_FORWARDED_PROTO", "https"]
    settings.SECURE_HSTS_SECONDS = hsts[0]
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get(world["published"].get_absolute_url(), secure=True)
    max_age = int(re.search(r"max-age=(\d+)", response["Strict-Transport-Security"]).group(1))
    assert max_age >= 31536000


# --- SEC-04 ------------------------------------------------------------------------------------


def test_sec_04_host_header_rejected(every_url, world, caplog):
    staff = Client(raise_request_exception=False)
    staff.force_login(world["admin"])
    for headers in (
        {"HTTP_HOST": EVIL},
        {"HTTP_X_FORWARDED_HOST": EVIL},
        {"HTTP_X_FORWARDED_HOST": f"localhost, {EVIL}"},
    ):
        with db_unchanged():
            for label, url in every_url:
                for client in (Client(raise_request_exception=False), staff):
                    response = client.get(url, **headers)
                    assert response.status_code == 400, (label, url, headers, response.status_code)
                    assert EVIL.encode() not in response.content
                    if url.startswith("/api/"):
                        assert response.json() == {"detail": "Bad request."}
                response = Client(raise_request_exception=False).post(url, {"a": "b"}, **headers)
                assert response.status_code == 400, (label, url, headers)
    assert not django_settings.USE_X_FORWARDED_HOST
    no_server_errors(caplog)


def test_sec_04_absolute_urls_never_name_a_forged_host(client, world):
    """Headers Django does not trust (RFC 7239 Forwarded, X-Forwarded-Server, X-Host, …) leave
    every absolute URL on our host; there is no password-reset view to abuse."""
    article = world["published"].get_absolute_url()
    forged = {
        "HTTP_FORWARDED": f"host={EVIL};proto=https",
        "HTTP_X_FORWARDED_SERVER": EVIL,
        "HTTP_X_HOST": EVIL,
        "HTTP_X_ORIGINAL_HOST": EVIL,
    }
    index = client.get("/sitemap.xml").content.decode()
    sitemaps = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    assert sitemaps
    pages = [article, "/feeds/rss/", "/feeds/atom/", "/sitemap.xml", "/sitemap-news.xml", "/", *sitemaps]
    for url in pages:
        response = client.get(url, **forged)
        assert response.status_code == 200, url
        assert EVIL.encode() not in response.content, url
    page = client.get(article).content.decode()
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page).group(1)
    og_url = re.search(r'<meta property="og:url" content="([^"]+)"', page).group(1)
    assert canonical.startswith("http://localhost/") and og_url == canonical
    assert client.get("/admin/password_reset/").status_code in (302, 404)


# --- SEC-05 ------------------------------------------------------------------------------------


def test_sec_05_csrf_on_session_authenticated_writes(world, admin_user):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(admin_user)
    client.get("/admin/articles/tag/add/")
    token = client.cookies["csrftoken"].value
    article = world["published"]
    if_match = f'"article-{article.pk}-v{article.version}"'
    body = json.dumps({"headline": "Made with a session", "site": world["site"].pk})
    api_writes = [
        ("post", "/api/v1/articles/", body, {}),
        ("patch", f"/api/v1/articles/{article.pk}/", body, {"HTTP_IF_MATCH": if_match}),
        ("put", f"/api/v1/authors/{world['author'].pk}/", json.dumps({"name": "Renamed"}), {}),
        ("delete", f"/api/v1/articles/{article.pk}/", "", {"HTTP_IF_MATCH": if_match}),
        ("post", "/api/v1/authors/", json.dumps({"name": "New reporter"}), {}),
    ]
    with db_unchanged():
        for method, url, data, headers in api_writes:
            response = getattr(client, method)(url, data, content_type="application/json", **headers)
            assert response.status_code == 403, (method, url)
            assert "CSRF" in response.json()["detail"]
        response = client.post("/admin/articles/tag/add/", {"name": "Forged", "slug": "forged"})
        assert response.status_code == 403
        response = client.post(f"/admin/articles/tag/{world['tag'].pk}/delete/", {"post": "yes"})
        assert response.status_code == 403
    # The same requests with the token succeed.
    response = client.post("/api/v1/articles/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    response = client.patch(
        f"/api/v1/articles/{article.pk}/", body, content_type="application/json",
        HTTP_IF_MATCH=if_match, HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert response.status_code == 200, response.content
    response = client.post("/admin/articles/tag/add/", {"name": "Real", "slug": "real", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Tag.objects.filter(slug="real").exists()
    assert Article.objects.filter(headline="Made with a session").count() == 2


def test_sec_05_csrf_trusted_origins_are_explicit():
    assert prod_value("s.CSRF_TRUSTED_ORIGINS") == []
    origins = prod_value("s.CSRF_TRUSTED_ORIGINS", DJANGO_CSRF_TRUSTED_ORIGINS="https://news.example.org")
    assert origins == ["https://news.example.org"]
    wildcard = run_settings("print(1)", **{**PROD, "DJANGO_CSRF_TRUSTED_ORIGINS": "https://*.example.org"})
    assert wildcard.returncode != 0 and "must list exact origins" in wildcard.stderr


# --- SEC-06 ------------------------------------------------------------------------------------

LEAKS = ["Traceback", "SECRET_KEY", "DATABASES", "INSTALLED_APPS", "ALLOWED_HOSTS", "SELECT", "auth_user", "password"]


def test_sec_06_server_error_leaks_nothing_and_is_reported(settings, world, caplog):
    assert prod_value("s.DEBUG") is False
    settings.DEBUG = False
    settings.ADMINS = [("Ops", "ops@example.org")]
    failure = ProgrammingError('column "password" does not exist: SELECT "auth_user"."password" FROM "auth_user"')
    client = Client(raise_request_exception=False)
    with mock.patch.object(ArticleQuerySet, "published", side_effect=failure):
        page = client.get("/")
        api = client.get("/api/v1/articles/")
    assert page.status_code == 500 and api.status_code == 500
    assert page.content.decode() == get_template("500.html").render()
    assert api.json() == {"detail": "Server error: the problem has been logged."}
    for response in (page, api):
        body = response.content.decode()
        for leak in LEAKS + [settings.SECRET_KEY]:
            assert leak not in body, leak
    logged = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert len(logged) == 2 and all(r.exc_info and r.exc_info[0] is ProgrammingError for r in logged)
    assert [m.to for m in mail.outbox] == [["ops@example.org"]] * 2
    assert "Internal Server Error: /" in mail.outbox[0].subject


# --- SEC-07 ------------------------------------------------------------------------------------


def parse(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.match(r"\d+(\.\d+)*", text).group(0).split("."))


def test_sec_07_version_floors_and_locks():
    floors = {"Django": "5.2.8", "djangorestframework": "3.15.2", "Pillow": "12.2.0"}
    for package, floor in floors.items():
        assert parse(version(package)) >= parse(floor), f"{package} {version(package)} < {floor}"
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    locks = {"Django": "5.2.19", "djangorestframework": "3.18.3", "Pillow": "13.0.0", "nh3": "0.3.8"}
    for package, lock in locks.items():
        assert parse(pins[package]) >= parse(lock), f"requirements.txt pins {package}=={pins[package]} < {lock}"
        assert version(package) == pins[package].strip(), f"installed {package} differs from the pin"


# --- SEC-08 ------------------------------------------------------------------------------------

MIB = 1024 * 1024


def assert_refused(response, url):
    assert 400 <= response.status_code < 500, (url, response.status_code)
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json"), url
        assert response.json()["detail"], url


def test_sec_08_request_limits(world, admin_user, caplog):
    token = world["token"]
    editor = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    staff = Client(raise_request_exception=False)
    staff.force_login(admin_user)
    anonymous = Client(raise_request_exception=False)
    article = world["published"]
    comment_url = f"/comments/{article.pk}/post/"
    big_json = json.dumps({"headline": "x", "body": "<p>" + "a" * (10 * MIB) + "</p>"})
    big_form = {"name": "x", "body": "a" * (10 * MIB)}
    many_fields = {f"f{n}": "v" for n in range(1500)}
    many_files = {f"file{n}": (f"{n}.txt", b"x") for n in range(150)}
    many_params = "&".join(f"p{n}=v" for n in range(1500))
    from django.core.files.uploadedfile import SimpleUploadedFile

    def files(count):
        return {f"file{n}": SimpleUploadedFile(f"{n}.jpg", b"x", content_type="image/jpeg") for n in range(count)}

    assert len(many_files) == 150
    with db_unchanged():
        cases = [
            ("/api/v1/articles/", editor.post("/api/v1/articles/", big_json, content_type="application/json")),
            ("/api/v1/auth/token/", anonymous.post("/api/v1/auth/token/", big_json, content_type="application/json")),
            ("/api/v1/images/", editor.post("/api/v1/images/", big_form)),
            ("/admin/articles/tag/add/", staff.post("/admin/articles/tag/add/", big_form)),
            (comment_url, anonymous.post(comment_url, big_form)),
            ("/api/v1/images/", editor.post("/api/v1/images/", many_fields)),
            ("/admin/login/", anonymous.post("/admin/login/", many_fields)),
            (comment_url, anonymous.post(comment_url, many_fields)),
            ("/api/v1/images/", editor.post("/api/v1/images/", files(150))),
            ("/admin/articles/image/add/", staff.post("/admin/articles/image/add/", files(150))),
            ("/api/v1/articles/", anonymous.get(f"/api/v1/articles/?{many_params}")),
            ("/api/v1/articles/", editor.get(f"/api/v1/articles/?{many_params}")),
            ("/search/", anonymous.get(f"/search/?{many_params}")),
            ("/", anonymous.get(f"/?{many_params}")),
        ]
        for url, response in cases:
            assert_refused(response, url)
    no_server_errors(caplog)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_sec_08_header_over_8_kib_refused_by_gunicorn(tmp_path):
    """A real server: gunicorn with the production config (cms/gunicorn.conf.py, its default
    limit_request_field_size of 8190 bytes) and the production settings, on loopback."""
    port = free_port()
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(PROD, DJANGO_ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=database_url, DJANGO_SECURE_SSL_REDIRECT="0")
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", MEDIA_ROOT=str(tmp_path))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "cms/gunicorn.conf.py", "cms.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                requests.get(f"{base}/healthz", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.1)
        ok = requests.get(f"{base}/healthz", headers={"X-Padding": "a" * 4000}, timeout=10)
        assert ok.status_code == 200, ok.text
        for size in (8 * 1024, 64 * 1024):
            refused = requests.get(f"{base}/healthz", headers={"X-Padding": "a" * size}, timeout=10)
            assert refused.status_code in (400, 413, 431), refused.status_code
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200  # the worker lives on
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output


# --- SEC-09 ------------------------------------------------------------------------------------


def test_sec_09_no_browsable_api_in_production(settings, every_url):
    renderers = prod_value("s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']")
    assert renderers and all(issubclass(import_string(r), JSONRenderer) for r in renderers), renderers
    # DRF views read their renderers when their class is defined: give every API view that uses
    # the default list the production list instead.
    default = api_settings.DEFAULT_RENDERER_CLASSES
    production = [import_string(r) for r in renderers]
    with ExitStack() as stack:
        patched = 0
        for _label, url in every_url:
            cls = getattr(resolve(url).func, "cls", None)
            if cls is not None and list(cls.renderer_classes) == list(default):
                stack.enter_context(mock.patch.object(cls, "renderer_classes", production))
                patched += 1
        assert patched >= 5
        client = Client(raise_request_exception=False)
        api_urls = [url for _label, url in every_url if url.startswith("/api/v1/")]
        assert len(api_urls) > 10
        for url in api_urls + ["/api/schema/"]:
            for accept in ("text/html", "text/html,application/xhtml+xml,*/*;q=0.8"):
                response = client.get(url, HTTP_ACCEPT=accept)
                assert response.status_code < 500, url
                assert not response["Content-Type"].startswith("text/html"), url
                assert b"Django REST framework" not in response.content and b"<html" not in response.content, url
        assert client.get("/api/v1/articles/?format=api").status_code == 404


# --- LOAD-04 -----------------------------------------------------------------------------------


def login_attempts(client, url, username, count, **extra):
    statuses = []
    for _ in range(count):
        if url.startswith("/api/"):
            response = client.post(url, {"username": username, "password": "wrong"}, **extra)
        else:
            response = client.post(url, {"username": username, "password": "wrong", "next": "/admin/"}, **extra)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response["Retry-After"]) >= 1
    return statuses


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/admin/login/"])
def test_load_04_sixth_login_attempt_per_minute_is_throttled(db, editor, url):
    client = Client(raise_request_exception=False)
    assert login_attempts(client, url, "editor", 6)[-1] == 429
    # The limit is per address and user name: another name, or another address, still gets in.
    assert login_attempts(client, url, "someone-else", 1)[0] != 429
    assert login_attempts(client, url, "editor", 1, REMOTE_ADDR="10.0.0.9")[0] != 429
    # Rotating X-Forwarded-For buys nothing (NUM_PROXIES = 0).
    assert login_attempts(client, url, "EDITOR", 1, HTTP_X_FORWARDED_FOR="10.9.9.9")[0] == 429


def test_load_04_first_five_attempts_are_answered_normally(db, editor):
    client = Client(raise_request_exception=False)
    assert login_attempts(client, "/api/v1/auth/token/", "editor", 6) == [400] * 5 + [429]
    assert login_attempts(client, "/admin/login/", "editor", 1) == [429]  # one limit for both doors
    assert login_attempts(client, "/admin/login/", "admin", 6) == [200] * 5 + [429]
    response = client.post("/admin/login/", {"username": "editor", "password": "correct horse battery staple"})
    assert response.status_code == 429  # even the right password waits: no oracle
    assert "Too many sign-in attempts" in response.content.decode()


def test_load_04_throttle_is_shared_between_workers_through_redis(db, editor, settings, redis_url):
    """Two workers share counts through Redis: attempts made through one cache connection
    are seen through a fresh one, as another gunicorn worker would."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "relsec",
        }
    }
    caches["default"].clear()
    try:
        client = Client(raise_request_exception=False)
        assert login_attempts(client, "/api/v1/auth/token/", "editor", 5) == [400] * 5
        caches._connections = Local()  # a new process: new connections
        assert login_attempts(client, "/admin/login/", "editor", 1) == [429]
    finally:
        caches["default"].clear()


def test_load_04_no_basic_authentication():
    classes = prod_value("s.REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES']")
    assert "rest_framework.authentication.BasicAuthentication" not in classes
    assert (
        "rest_framework.authentication.BasicAuthentication"
        not in django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    )
