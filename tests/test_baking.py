"""The baked archive (articles/baking/): pages written as static files after each change,
with the bytes Django serves, atomically, incrementally; site-wide changes swap a
generation; withdrawn articles get their 410 page; and a real nginx serves the tree with
the configuration of docs/deploy.md, falling through to Django for the rest."""

import contextlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from articles import baking, services
from articles.baking import due, miss, store
from articles.baking.render import view_name
from articles.models import Article, SiteSettings
from articles.services import BylineSpec, PlacementSpec
from tests import factories
from tests.test_views import make_article


@pytest.fixture
def bake_root(settings, tmp_path) -> Path:
    """Baking on, into a temporary folder (it is off by default in the tests)."""
    root = tmp_path / "baked"
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "BAKE_ROOT": str(root)}
    return root


@pytest.fixture
def fixed_token(monkeypatch):
    """The comment form's signed token holds the second the page was made: fix it, so a
    page rendered now and one rendered a moment ago can be compared byte for byte."""
    import comments.forms

    monkeypatch.setattr(comments.forms, "form_token", lambda article_id: f"token-{article_id}")


def generation(root: Path, host: str = "localhost") -> Path:
    return root / host / os.readlink(root / host / "current")


def baked(root: Path, path: str, *, host: str = "localhost", name: str = "index.html") -> Path:
    return generation(root, host).joinpath(*[p for p in path.split("/") if p]) / name


def archive_paths(article) -> list[str]:
    d = article.pub_date
    return [
        reverse("articles:archive-day", kwargs={"year": d.year, "month": d.month, "day": d.day}),
        reverse("articles:archive-month", kwargs={"year": d.year, "month": d.month}),
        reverse("articles:archive-year", kwargs={"year": d.year}),
    ]


def bake_all():
    call_command("bake_archive", "--all", stdout=io.StringIO())


def publish(site, commit, **fields):
    with commit(execute=True):
        return make_article(site, **fields)


# --- What a change bakes -----------------------------------------------------------------


def test_publish_bakes_its_page_lists_and_feeds_with_the_bytes_django_serves(
    client, site, bake_root, fixed_token, django_capture_on_commit_callbacks
):
    article = publish(site, django_capture_on_commit_callbacks, headline="Ferry timetable changes")

    for path in [article.get_absolute_url(), "/", *archive_paths(article)]:
        served = client.get(path)
        assert served.status_code == 200
        assert baked(bake_root, path).read_bytes() == served.content, path
    assert b"Ferry timetable changes" in baked(bake_root, "/").read_bytes()
    assert baked(bake_root, "/feeds/rss/", name="index.rss").read_bytes() == client.get("/feeds/rss/").content
    assert baked(bake_root, "/feeds/atom/", name="index.atom").read_bytes() == client.get("/feeds/atom/").content


def test_one_save_renders_each_page_once_whatever_the_signals_it_sends(
    site, bake_root, monkeypatch, django_capture_on_commit_callbacks
):
    article = make_article(site)
    rendered = []
    real_render = baking.render
    monkeypatch.setattr(baking, "render", lambda domain, path: (rendered.append(path), real_render(domain, path))[1])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.article_update(article=article, headline="Trams approved", tags=[factories.TagFactory()])
    assert len(callbacks) > 1  # the article, its tags…
    assert sorted(rendered) == sorted(set(rendered))
    assert article.get_absolute_url() in rendered and "/" in rendered


def test_drafts_and_scheduled_articles_are_not_baked_until_due(site, bake_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(site, publish=False, headline="Secret plan")
    assert draft.pub_date is None
    assert not any(b"Secret plan" in p.read_bytes() for p in generation(bake_root).rglob("index.*"))

    baker = baking.Baker(bake_root)
    due.bake_due(baker)  # the first run records its moment
    soon = timezone.now() + timedelta(minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = make_article(site, published_at=soon, headline="Budget day")
    assert scheduled.status == Article.Status.SCHEDULED and not scheduled.is_published()
    assert not baked(bake_root, scheduled.get_absolute_url()).exists()

    # Time passes (no save happens when an article comes due), then cron runs --due.
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    due.bake_due(baking.Baker(bake_root))
    assert b"Budget day" in baked(bake_root, scheduled.get_absolute_url()).read_bytes()
    assert b"Budget day" in baked(bake_root, "/").read_bytes()


def test_editing_a_byline_a_photo_credit_or_a_correction_rebakes_the_page(
    client, site, bake_root, fixed_token, django_capture_on_commit_callbacks
):
    author = factories.AuthorFactory(name="Ann Ames")
    photo = factories.ImageFactory(creator="Rui Costa", agency="AFP", distributor="")
    article = publish(
        site,
        django_capture_on_commit_callbacks,
        bylines=[BylineSpec(author=author)],
        placements=[PlacementSpec(image=photo, role="lead")],
    )
    page = baked(bake_root, article.get_absolute_url())
    assert b"Ann Ames" in page.read_bytes() and b"Rui Costa/AFP" in page.read_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        author.name = "Ann Ames-Ward"
        services.author_save(author=author)
    assert b"Ann Ames-Ward" in page.read_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        photo.creator = "Rita Sousa"
        photo.save()
    assert b"Rita Sousa/AFP" in page.read_bytes() and b"Rui Costa" not in page.read_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        services.correction_add(article=article, text="The vote was on Wednesday.")
    assert b"The vote was on Wednesday." in page.read_bytes()
    assert page.read_bytes() == client.get(article.get_absolute_url()).content


def test_an_author_shown_on_many_articles_swaps_the_site_instead(
    site, bake_root, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(baking, "SWAP_OVER", 1)
    author = factories.AuthorFactory(name="Ann Ames")
    for n in range(2):
        publish(site, django_capture_on_commit_callbacks, slug=f"by-ann-{n}", bylines=[BylineSpec(author=author)])
    before = generation(bake_root)
    with django_capture_on_commit_callbacks(execute=True):
        author.name = "Ann Ames-Ward"
        services.author_save(author=author)
    assert generation(bake_root) != before
    assert b"Ann Ames-Ward" in baked(bake_root, "/").read_bytes()
    assert not any(b"Ann Ames<" in p.read_bytes() for p in generation(bake_root).rglob("index.*"))


def test_a_site_wide_notice_change_leaves_no_stale_article_page(
    client, site, bake_root, fixed_token, django_capture_on_commit_callbacks
):
    articles = [publish(site, django_capture_on_commit_callbacks, slug=f"story-{n}") for n in range(3)]
    bake_all()
    before = generation(bake_root)
    assert all(baked(bake_root, a.get_absolute_url()).exists() for a in articles)

    notice = "We are temporarily suspending article commenting."
    with django_capture_on_commit_callbacks(execute=True):
        services.sites_set_commenting(sites=[site], enabled=False, notice=notice)

    assert generation(bake_root) != before  # a new generation: nothing stale is served
    assert notice.encode() in baked(bake_root, "/").read_bytes() or b"Latest" in baked(bake_root, "/").read_bytes()
    for article in articles:
        file = baked(bake_root, article.get_absolute_url())
        # Either baked again with the notice, or absent: nginx falls through to Django.
        assert not file.exists() or notice.encode() in file.read_bytes()
        assert notice in client.get(article.get_absolute_url()).content.decode()

    bake_all()
    for article in articles:
        assert notice.encode() in baked(bake_root, article.get_absolute_url()).read_bytes()


def test_withdrawing_bakes_the_410_page_in_place_of_the_article(
    client, site, bake_root, django_capture_on_commit_callbacks
):
    article = publish(site, django_capture_on_commit_callbacks)
    path = article.get_absolute_url()
    assert baked(bake_root, path).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=article, reason="Legal advice.")

    gone = baked(bake_root, path, name="index.410.html")
    assert not baked(bake_root, path).exists()
    served = client.get(path)
    assert served.status_code == 410
    assert gone.read_bytes() == served.content
    assert b"Legal advice." in gone.read_bytes()


def test_a_renamed_slug_removes_the_old_page_so_django_answers_301(
    client, site, bake_root, django_capture_on_commit_callbacks
):
    article = publish(site, django_capture_on_commit_callbacks, slug="old-name")
    old = article.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(article=article, slug="new-name")
    assert not baked(bake_root, old).exists()
    assert baked(bake_root, article.get_absolute_url()).exists()
    assert client.get(old).status_code == 301


def test_only_the_pages_a_change_touches_are_rewritten(site, bake_root, django_capture_on_commit_callbacks):
    now = timezone.now()
    changed = publish(site, django_capture_on_commit_callbacks, published_at=now - timedelta(days=40))
    other = publish(site, django_capture_on_commit_callbacks, published_at=now - timedelta(days=1))
    bake_all()
    files = sorted(generation(bake_root).rglob("index.*"))
    before = {f: (f.stat().st_ino, f.stat().st_mtime_ns) for f in files}

    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(article=changed, headline="Harbour city votes again")

    after = {f: (f.stat().st_ino, f.stat().st_mtime_ns) for f in files}
    untouched = [baked(bake_root, p) for p in [other.get_absolute_url(), *archive_paths(other)[:2]]]
    for file in untouched:
        assert after[file] == before[file], file
    assert after[baked(bake_root, changed.get_absolute_url())] != before[baked(bake_root, changed.get_absolute_url())]
    assert b"Harbour city votes again" in baked(bake_root, "/").read_bytes()
    rewritten = [f for f in files if after[f] != before[f]]
    assert len(rewritten) < len(files)


def test_a_failed_bake_is_logged_and_never_breaks_the_save(
    site, bake_root, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(domain, path):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(baking, "render", broken)
    article = publish(site, django_capture_on_commit_callbacks)
    assert Article.objects.get(pk=article.pk).is_published()
    assert "Baking localhost" in caplog.text and "disk on fire" in caplog.text
    assert not baked(bake_root, article.get_absolute_url()).exists()


def test_approving_a_comment_rebakes_the_page_with_it_and_its_count(
    site, bake_root, django_capture_on_commit_callbacks
):
    from comments import services as comments

    article = publish(site, django_capture_on_commit_callbacks)
    comment = comments.comment_post(
        article=article, display_name="Rosa", body="Trams at last!", client_address="192.0.2.1"
    )
    page = baked(bake_root, article.get_absolute_url())
    assert b"Trams at last!" not in page.read_bytes()  # pending: not shown, not baked
    with django_capture_on_commit_callbacks(execute=True):
        comments.comments_moderate(comments=[comment], status="approved")
    assert b"Trams at last!" in page.read_bytes()


def test_a_comment_rebakes_only_its_article_page_not_the_lists_and_feeds(
    site, bake_root, monkeypatch, django_capture_on_commit_callbacks
):
    from comments import services as comments

    article = publish(site, django_capture_on_commit_callbacks)
    comment = comments.comment_post(
        article=article, display_name="Rosa", body="Trams at last!", client_address="192.0.2.1"
    )
    front = baked(bake_root, "/")
    front_before = (front.stat().st_ino, front.stat().st_mtime_ns)
    rendered = []
    real_render = baking.render
    monkeypatch.setattr(baking, "render", lambda domain, path: (rendered.append(path), real_render(domain, path))[1])

    with django_capture_on_commit_callbacks(execute=True):
        comments.comments_moderate(comments=[comment], status="approved")

    assert rendered == [article.get_absolute_url()]  # not the front page, feeds or archives
    assert b"Trams at last!" in baked(bake_root, article.get_absolute_url()).read_bytes()
    assert (front.stat().st_ino, front.stat().st_mtime_ns) == front_before


def test_a_rolled_back_change_is_never_baked_by_the_next_commit(site, bake_root, django_capture_on_commit_callbacks):
    from django.db import transaction

    article = publish(site, django_capture_on_commit_callbacks)
    before = generation(bake_root)
    settings_row = SiteSettings.objects.get(site=site)
    # e.g. an edit that loses the version race after saving: its transaction is rolled back
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.EditConflict), transaction.atomic():
        settings_row.comments_notice = "Never saved."
        settings_row.save()
        raise services.EditConflict

    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(article=article, headline="An unrelated edit")

    assert generation(bake_root) == before  # the rolled-back settings change swapped nothing
    assert b"An unrelated edit" in baked(bake_root, article.get_absolute_url()).read_bytes()
    assert b"Never saved." not in baked(bake_root, "/").read_bytes()


def test_deleting_an_image_no_article_shows_swaps_no_site(site, bake_root, django_capture_on_commit_callbacks):
    publish(site, django_capture_on_commit_callbacks)
    before = generation(bake_root)
    unused = factories.ImageFactory()
    with django_capture_on_commit_callbacks(execute=True):
        unused.delete()
    assert generation(bake_root) == before


def test_due_rebakes_pages_whose_comment_form_ages_and_deletes_old_generations(
    site, bake_root, monkeypatch, django_capture_on_commit_callbacks
):
    article = publish(site, django_capture_on_commit_callbacks)
    page = baked(bake_root, article.get_absolute_url())
    assert b'name="token"' in page.read_bytes()  # commenting is open: the form carries a token
    inode = page.stat().st_ino

    due.bake_due(baking.Baker(bake_root))
    assert page.stat().st_ino == inode  # not due yet

    later = time.time() + 4 * 3600  # past half the token's 6-hour life
    monkeypatch.setattr(due.time, "time", lambda: later)
    due.bake_due(baking.Baker(bake_root))
    assert page.stat().st_ino != inode  # baked again, with a fresh token

    old = generation(bake_root)
    with django_capture_on_commit_callbacks(execute=True):
        services.site_settings_update(site_settings=SiteSettings.objects.get(site=site), publisher_name="The Courier")
    assert generation(bake_root) != old and old.exists()
    monkeypatch.setattr(due, "KEEP_OLD", 0)
    due.bake_due(baking.Baker(bake_root))
    assert not old.exists()
    assert sorted(p.name for p in (bake_root / "localhost").glob("g-*")) == [generation(bake_root).name]
    assert baked(bake_root, article.get_absolute_url()).exists()  # refilled: among the newest


def test_a_change_committed_during_a_render_makes_the_baker_render_again(site, bake_root, monkeypatch):
    from articles import pagecache

    article = make_article(site)
    real_render, calls = baking.render, []

    def render_while_someone_saves(domain, path):
        response = real_render(domain, path)
        calls.append(path)
        if len(calls) == 1:  # another editor's change commits under this render
            Article.objects.filter(pk=article.pk).update(headline="Newer headline")
            pagecache.bump_now([site.pk])
        return response

    monkeypatch.setattr(baking, "render", render_while_someone_saves)
    baking.Baker(bake_root).bake(site, article.get_absolute_url())
    assert len(calls) == 2
    assert b"Newer headline" in baked(bake_root, article.get_absolute_url()).read_bytes()


def test_due_bakes_yesterdays_archives_on_a_new_day_and_swaps_on_a_new_year(
    site, bake_root, django_capture_on_commit_callbacks
):
    article = publish(site, django_capture_on_commit_callbacks, published_at=timezone.now() - timedelta(days=2))
    day_archive = baked(bake_root, archive_paths(article)[0])
    day_archive.unlink()
    state = bake_root / ".due.json"
    due.bake_due(baking.Baker(bake_root))  # records today's date per site
    seen = json.loads(state.read_text())
    seen["dates"]["1"] = article.pub_date.isoformat()  # as if the last run was on that day
    state.write_text(json.dumps(seen))
    due.bake_due(baking.Baker(bake_root))
    assert day_archive.exists()  # baked again: it now links to the next day

    before = generation(bake_root)
    seen = json.loads(state.read_text())
    seen["dates"]["1"] = f"{timezone.localdate().year - 1}-12-31"
    state.write_text(json.dumps(seen))
    due.bake_due(baking.Baker(bake_root))
    assert generation(bake_root) != before  # every page's "Archive" link changed: new generation


# --- Atomic files --------------------------------------------------------------------------


def test_readers_never_see_a_partial_page_while_it_is_rewritten(tmp_path):
    target = tmp_path / "page" / "index.html"
    documents = [b"<!doctype html>" + bytes([65 + n]) * 2_000_000 + b"</html>" for n in range(2)]
    store.write_atomic(target, documents[0])
    seen, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            seen.append(target.read_bytes())

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(40):
            store.write_atomic(target, documents[n % 2 == 0])
    finally:
        stop.set()
        thread.join()
    assert len(seen) > 5
    assert all(data in documents for data in seen)
    assert [p.name for p in target.parent.iterdir()] == ["index.html"]  # no temporary file left


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "index.html"
    store.write_atomic(target, b"old page")

    def full_disk(fd, mode):
        os.close(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "fdopen", full_disk)
    with pytest.raises(OSError):
        store.write_atomic(target, b"new page")
    assert target.read_bytes() == b"old page"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


# --- What is never baked, and baking on a miss ---------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/preview/1/",
        "/search/",
        "/2025/01/02/story/rev/1/",
        "/2025/01/02/story/timemap/",
        "/authors/ann/",
        "/sitemap.xml",
        "/admin/",
        "/2025/01/02/../",
        "/2025/01/02/story",
    ],
)
def test_other_pages_are_never_baked(db, path):
    assert view_name(path) is None


def test_a_miss_is_baked_unless_a_change_committed_meanwhile(
    client, site, bake_root, monkeypatch, fixed_token, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(miss, "enabled", lambda: True)  # one process: its generations are coherent
    article = make_article(site)  # no bake: its on-commit hooks are not run
    path = article.get_absolute_url()

    assert client.get(path + "?utm_source=x", HTTP_HOST="localhost").status_code == 200
    assert not (bake_root / "localhost").exists()  # a query string is never baked
    cache.clear()  # that page is in the page cache now; only fresh renders are baked
    served = client.get(path, HTTP_HOST="localhost")
    assert baked(bake_root, path).read_bytes() == served.content

    # A change commits while a reader's page (made from the old row) is being rendered:
    # that page is not kept, so nginx cannot serve it after the change.
    other = make_article(site, slug="second-story")
    request = client.get("/robots.txt", HTTP_HOST="localhost").wsgi_request
    request.path = other.get_absolute_url()
    request.site = site
    ticket = miss.ticket(request)
    stale = HttpResponse(b"<p>the old headline</p>", content_type="text/html; charset=utf-8")
    services.article_update(article=other, headline="Changed meanwhile")  # bumps the generations
    assert miss.store_page(request, stale, ticket) is False
    assert not baked(bake_root, other.get_absolute_url()).exists()
    fresh_ticket = miss.ticket(request)
    assert miss.store_page(request, stale, fresh_ticket) is True  # nothing changed since this one


@pytest.mark.redis
def test_no_bake_on_a_miss_while_the_cache_is_down(
    client, settings, site, bake_root, redis_url, django_capture_on_commit_callbacks
):
    """While Redis is unreachable the generations cannot be read (a change committing during
    the render would go unseen): the page is served but not baked."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-miss-{os.getpid()}-{time.time_ns()}",
            "OPTIONS": {"RETRY_AFTER": 60},
        }
    }
    assert miss.enabled() is True
    article = make_article(site)  # no bake: its on-commit hooks are not run
    path = article.get_absolute_url()
    request = client.get("/robots.txt", HTTP_HOST="localhost").wsgi_request
    request.path = path
    request.site = site
    assert miss.ticket(request) is not None  # Redis answers: a miss may be baked
    caches["default"]._open_until = time.monotonic() + 60  # the breaker is open: Redis just failed

    assert miss.ticket(request) is None
    served = client.get(path, HTTP_HOST="localhost")
    assert served.status_code == 200
    assert b"Harbour city votes for trams" in served.content
    assert not list(bake_root.rglob("index.*"))  # nothing baked
    caches["default"]._open_until = 0.0
    redis_client = caches["default"]._cache.get_client(write=True)
    for key in redis_client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*"):
        redis_client.delete(key)


def test_baking_on_a_miss_needs_a_cache_shared_by_every_process(settings, bake_root, redis_url):
    assert miss.enabled() is False  # local memory: each process has its own generations
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    assert miss.enabled() is True
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "BAKE_ROOT": ""}
    assert miss.enabled() is False  # baking off


# --- The command -----------------------------------------------------------------------------


def test_bake_archive_command(site, bake_root, capsys, django_capture_on_commit_callbacks):
    article = make_article(site)
    call_command("bake_archive", "--all")
    out = capsys.readouterr().out
    assert "written" in out and " in " in out
    assert baked(bake_root, article.get_absolute_url()).exists()
    call_command("bake_archive", "--article", str(article.pk))
    assert "unchanged" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No article"):
        call_command("bake_archive", "--article", "999999")
    with pytest.raises(CommandError, match="No site"):
        call_command("bake_archive", "--all", "--site", "999999")


def test_only_one_due_run_at_a_time(site, bake_root, capsys):
    import fcntl

    bake_root.mkdir(parents=True)
    with open(bake_root / due.LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a slow run still going
        call_command("bake_archive", "--due")
        assert "Another bake_archive --due is running" in capsys.readouterr().out
        assert not (bake_root / due.STATE).exists()
    call_command("bake_archive", "--due")
    assert (bake_root / due.STATE).exists()


def test_bake_archive_refuses_to_run_with_baking_off(db):
    with pytest.raises(CommandError, match="ARCHIVE_BAKE_ROOT"):
        call_command("bake_archive", "--due")


def test_each_site_has_its_own_tree(settings, site, bake_root, django_capture_on_commit_callbacks):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "coast.test"]
    coast = Site.objects.create(domain="coast.test", name="Coastline")
    SiteSettings.objects.create(site=coast)
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(site, sites=[coast])
    assert baked(bake_root, article.get_absolute_url(), host="coast.test").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(article=article, sites=[])  # no longer syndicated there
    assert not baked(bake_root, article.get_absolute_url(), host="coast.test").exists()
    assert baked(bake_root, article.get_absolute_url()).exists()


# --- A real nginx with docs/deploy.md's configuration -------------------------------------

SAME_HEADERS = (
    "Content-Type",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Link",
)
DEPLOY_MD = Path(__file__).resolve().parent.parent / "docs" / "deploy.md"


def nginx_blocks() -> dict[str, str]:
    """The nginx files of docs/deploy.md, by the name printed before each block."""
    text = DEPLOY_MD.read_text()
    blocks = {}
    for match in re.finditer(r"`(/etc/nginx/[^`]+\.conf)`[^\n]*:\n\n```nginx\n(.*?)```", text, re.S):
        blocks[match.group(1)] = match.group(2)
    return blocks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_nginx(tmp_path: Path, bake_root: Path, upstream_port: int):
    """nginx with docs/deploy.md's files: TLS lines dropped, a loopback port, our paths."""
    conf = tmp_path / "nginx"
    conf.mkdir()
    port = free_port()
    blocks = nginx_blocks()
    names = {name: conf / Path(name).name for name in blocks}
    for name, body in blocks.items():
        lines = [line for line in body.splitlines() if not line.rstrip().endswith("# TLS")]
        body = "\n".join(lines)
        if name.endswith("newsroom.conf"):
            body = body.replace("server_name ", f"listen 127.0.0.1:{port};\n    server_name localhost ", 1)
            body = body.replace("/srv/newsroom/baked", str(bake_root))
            body = body.replace("127.0.0.1:8000", f"127.0.0.1:{upstream_port}")
        for other, path in names.items():
            body = body.replace(other, str(path))
        names[name].write_text(body)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's 0700 folders
    temp = "".join(
        f"    {kind}_temp_path {conf}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = conf / "main.conf"
    main.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {conf}/nginx.pid;\nerror_log {conf}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log off;\n{temp}    include {names['/etc/nginx/conf.d/newsroom.conf']};\n}}\n"
    )
    process = subprocess.Popen(  # noqa: S603
        [shutil.which("nginx"), "-p", str(conf), "-c", str(main), "-e", str(conf / "error.log")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"nginx did not start: {process.stdout.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


NGINX = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install nginx-light)")


def localhost_site() -> Site:
    """Site 1 as the migration seeds it (a flush between live-server tests brings back
    django.contrib.sites' example.com)."""
    site, _created = Site.objects.update_or_create(pk=1, defaults={"domain": "localhost", "name": "Newsroom"})
    Site.objects.clear_cache()
    SiteSettings.objects.get_or_create(site=site)
    return site


def fetch(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers={"Host": "localhost", **(headers or {})})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@NGINX
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # live_server; leaves the seeded rows for others
def test_nginx_serves_baked_pages_and_falls_through_to_django(live_server, bake_root, tmp_path, fixed_token):
    site = localhost_site()
    author = factories.AuthorFactory(name="Ann Ames", slug="ann-ames")
    article = make_article(site, bylines=[BylineSpec(author=author)], headline="Harbour reopens")  # baked on commit
    withdrawn = make_article(site, slug="taken-down")
    services.article_withdraw(article=withdrawn, reason="Legal advice.")
    page = baked(bake_root, article.get_absolute_url())
    gone = baked(bake_root, withdrawn.get_absolute_url(), name="index.410.html")
    assert page.exists() and gone.exists()
    bake_root.chmod(0o755)

    upstream = int(live_server.url.rsplit(":", 1)[1])
    with running_nginx(tmp_path, bake_root, upstream) as nginx:
        status, headers, body = fetch(nginx + article.get_absolute_url())
        assert status == 200
        assert body == page.read_bytes()
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        _, django_headers, django_body = fetch(live_server.url + article.get_absolute_url())
        for name in SAME_HEADERS:  # the security headers, CSP, type and Memento link Django sends
            assert headers[name] == django_headers[name], name
        assert body == django_body
        assert headers["Cache-Control"] == "public, max-age=60"  # nginx's, not Django's 300
        etag = headers["ETag"]
        assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', etag)  # made by nginx from the file

        status, headers, _ = fetch(nginx + article.get_absolute_url(), {"If-None-Match": etag})
        assert status == 304
        status, headers, _ = fetch(nginx + article.get_absolute_url(), {"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip"

        status, headers, body = fetch(nginx + "/feeds/rss/")
        assert status == 200 and headers["Content-Type"] == "application/rss+xml; charset=utf-8"
        assert body == baked(bake_root, "/feeds/rss/", name="index.rss").read_bytes()
        assert "Content-Security-Policy" not in headers  # as Django: HTML pages only

        status, headers, body = fetch(nginx + withdrawn.get_absolute_url())
        assert status == 410
        assert body == gone.read_bytes() and b"Legal advice." in body
        assert headers["Content-Type"] == "text/html; charset=utf-8"

        # Not baked: Django answers through the proxy (its ETag is a hash of the bytes;
        # nginx's is "mtime-size").
        status, headers, body = fetch(nginx + "/authors/ann-ames/")
        assert status == 200 and b"Harbour reopens" in body
        assert re.fullmatch(r'"[0-9a-f]{32}"', headers["ETag"])
        status, headers, body = fetch(nginx + article.get_absolute_url() + "?utm_source=feed")
        assert status == 200 and re.fullmatch(r'"[0-9a-f]{32}"', headers["ETag"])
        status, headers, _ = fetch(nginx + "/2020/01/01/no-such-story/")
        assert status == 404

        # A site-wide notice: the new generation has no article page yet, so nginx falls
        # through to Django, which shows the notice; the front page is baked again at once.
        notice = "We are temporarily suspending article commenting."
        services.sites_set_commenting(sites=[site], enabled=False, notice=notice)
        status, headers, body = fetch(nginx + article.get_absolute_url())
        assert status == 200 and notice.encode() in body
        status, headers, body = fetch(nginx + "/")
        assert status == 200 and re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', headers["ETag"])


@NGINX
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # live_server; leaves the seeded rows for others
def test_nginx_after_a_swap_falls_through_once_then_serves_the_page_django_baked(
    live_server, bake_root, tmp_path, settings, redis_url
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-baking-{os.getpid()}-{time.time_ns()}",  # Redis is shared
        }
    }
    site = localhost_site()
    article = make_article(site)
    bake_root.chmod(0o755)
    notice = "Commenting is paused."
    services.sites_set_commenting(sites=[site], enabled=False, notice=notice)  # a new, empty generation
    assert not baked(bake_root, article.get_absolute_url()).exists()

    upstream = int(live_server.url.rsplit(":", 1)[1])
    with running_nginx(tmp_path, bake_root, upstream) as nginx:
        status, headers, body = fetch(nginx + article.get_absolute_url())
        assert status == 200 and notice.encode() in body
        assert re.fullmatch(r'"[0-9a-f]{32}"', headers["ETag"])  # Django answered…
        assert baked(bake_root, article.get_absolute_url()).read_bytes() == body  # …and baked it
        status, headers, again = fetch(nginx + article.get_absolute_url())
        assert status == 200 and again == body
        assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', headers["ETag"])  # now nginx serves the file


def test_production_bakes_pages_as_readers_get_them_over_https(settings, site, bake_root):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    article = make_article(site)
    baking.Baker(bake_root).bake(site, article.get_absolute_url())
    page = baked(bake_root, article.get_absolute_url()).read_text()
    assert f'<link rel="canonical" href="https://localhost{article.get_absolute_url()}">' in page
