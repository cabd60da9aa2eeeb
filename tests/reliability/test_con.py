"""CON-01..CON-08 of RELIABILITY.md: concurrency and data loss.

Races use real threads, each with its own client and database connection (see ``race.py``),
on SQLite (a file database, writers queue on the busy timeout) and PostgreSQL.
"""

import hashlib
import json
import threading
import time

import pytest
from django.contrib import admin
from django.contrib.sites.models import Site
from django.db import connections
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles import services
from articles.models import Article, Revision, SiteSettings
from comments.models import Comment
from tests import factories
from tests.conftest import database_vendor
from tests.test_admin import form_data

from .race import ServerErrors, race_rounds, statuses

RACE = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PRECONDITION_FAILED = {
    "detail": "The resource was changed by someone else since you loaded it: GET it again and reapply your change."
}
CONFLICT = {"detail": "The change conflicts with another one made at the same time; try again."}


@pytest.fixture
def no_throttles(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


@pytest.fixture
def editor_token(editor):
    return Token.objects.create(user=editor).key


def etag_of(article) -> str:
    return f'"article-{article.pk}-v{article.version}"'


# --- CON-01 unique race ---------------------------------------------------------------------

# 64 threads x 30 trials on both databases: ~1,900 requests, each create serialised by the
# database (SQLite's write lock, PostgreSQL's unique index).
CON01_THREADS, CON01_TRIALS = 64, 30


@RACE
def test_con_01_unique_slug_race_gives_one_201_and_no_500(editor_token, no_throttles):
    def create(client, trial, _thread):
        return client.post(
            "/api/v1/articles/",
            {"site": 1, "headline": f"Ferry strike ends {trial}", "slug": f"ferry-strike-{trial}", "body": "<p>x</p>"},
            format="json",
        )

    def login(client):
        client.credentials(HTTP_AUTHORIZATION=f"Token {editor_token}")

    with ServerErrors() as errors:
        rounds = race_rounds(CON01_THREADS, CON01_TRIALS, create, setup=login)

    total = statuses([r for results in rounds for r in results])
    assert total[201] == CON01_TRIALS, total
    assert set(total) <= {201, 400, 409}, total
    assert sum(total.values()) == CON01_THREADS * CON01_TRIALS
    assert not errors.records, [r.getMessage() for r in errors.records]
    for trial, results in enumerate(rounds):
        assert statuses(results)[201] == 1, (trial, statuses(results))
        taken = {
            "slug": [f"Another unpublished article on this site already uses the slug “ferry-strike-{trial}”; "
                     "choose another."]
        }  # fmt: skip
        assert all(r.json() in (taken, CONFLICT) for r in results if r.status_code != 201)
    assert Article.objects.filter(slug__startswith="ferry-strike-").count() == CON01_TRIALS
    assert Revision.objects.filter(article__slug__startswith="ferry-strike-").count() == CON01_TRIALS


# --- CON-02 lost update over the API ---------------------------------------------------------


def test_con_02_lost_update_refused(site, editor):
    article = factories.published_article(site=site, headline="Harbour vote")
    a, b = APIClient(), APIClient()
    a.force_authenticate(editor)
    b.force_authenticate(editor)
    url = f"/api/v1/articles/{article.pk}/"
    read_a, read_b = a.get(url), b.get(url)
    assert read_a["ETag"] == read_b["ETag"] == etag_of(article)
    body = {k: v for k, v in read_a.json().items() if k in ("site", "headline", "slug", "body", "dek")}

    first = a.put(url, {**body, "dek": "A's edit"}, format="json", HTTP_IF_MATCH=read_a["ETag"])
    assert first.status_code == 200
    assert first["ETag"] == f'"article-{article.pk}-v{article.version + 1}"' != read_a["ETag"]

    stale = b.put(url, {**body, "dek": "B's edit"}, format="json", HTTP_IF_MATCH=read_b["ETag"])
    assert (stale.status_code, stale.json()) == (412, PRECONDITION_FAILED)
    missing = b.put(url, {**body, "dek": "B's edit"}, format="json")
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    patched = b.patch(url, {"dek": "B's edit"}, format="json")
    assert patched.status_code == 428

    article.refresh_from_db()
    assert (article.dek, article.version) == ("A's edit", 2 + 1)  # created, published, A's edit
    assert article.revisions.latest().snapshot["dek"] == "A's edit"


# --- CON-03 atomic precondition --------------------------------------------------------------


@RACE
def test_con_03_fifty_concurrent_patches_with_one_etag_give_one_success(editor_token, no_throttles):
    article = factories.published_article(site=Site.objects.get(pk=1), headline="Harbour vote")
    revisions_before = Revision.objects.filter(article=article).count()
    etag = etag_of(article)

    def patch(client, _round, thread):
        return client.patch(
            f"/api/v1/articles/{article.pk}/",
            {"dek": f"Edited by thread {thread}"},
            format="json",
            HTTP_AUTHORIZATION=f"Token {editor_token}",
            HTTP_IF_MATCH=etag,
        )

    with ServerErrors() as errors:
        (results,) = race_rounds(50, 1, patch)

    assert statuses(results) == {200: 1, 412: 49}
    assert not errors.records
    winner = next(r for r in results if r.status_code == 200)
    after = Article.objects.get(pk=article.pk)
    assert after.version == article.version + 1
    assert winner["ETag"] == f'"article-{article.pk}-v{article.version + 1}"'
    assert after.dek == winner.json()["dek"]
    assert Revision.objects.filter(article=article).count() == revisions_before + 1
    assert all(r.json() == PRECONDITION_FAILED for r in results if r.status_code == 412)


# --- CON-04 admin lost update ----------------------------------------------------------------


def admin_session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_con_04_second_admin_save_is_a_conflict_not_an_overwrite(site, admin_user, editor):
    article = factories.draft_article(site=site, headline="Original", dek="Original dek")
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    first, second = admin_session(admin_user), admin_session(editor)
    form_first = form_data(first.get(change_url))
    form_second = form_data(second.get(change_url))
    assert form_first["edit_version"] == form_second["edit_version"] == str(article.version)

    saved = first.post(change_url, {**form_first, "headline": "First editor's headline"})
    assert saved.status_code == 302
    refused = second.post(change_url, {**form_second, "headline": "Second editor's", "dek": "Second dek"})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Someone else saved this article while you were editing it" in page
    assert f"it is now at version {article.version + 1}; you started from version {article.version}" in page
    article.refresh_from_db()
    assert (article.headline, article.dek, article.version) == ("First editor's headline", "Original dek", 2)
    assert article.revisions.count() == 2
    assert article.revisions.latest().user == admin_user


def test_con_04_no_changelist_edits_rows_in_place():
    """``list_editable`` saves rows from the changelist without a version check. No admin
    uses it; a new one must come with a conflict check and a test here."""
    editable = {
        model._meta.label: model_admin.list_editable
        for model, model_admin in admin.site._registry.items()
        if model_admin.list_editable
    }
    assert editable == {}


# --- CON-05 revision history -----------------------------------------------------------------

CONTENT = ("headline", "slug", "dek", "dateline", "body", "language", "section", "tags", "bylines", "images")


def content_sha256(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps({k: snapshot[k] for k in CONTENT}, sort_keys=True).encode()).hexdigest()


def test_con_05_every_edit_is_one_revision_and_restore_is_exact(site, admin_user, editor):
    article = factories.published_article(site=site, headline="Tram vote")
    start = article.revisions.count()
    api = APIClient()
    api.force_authenticate(editor)
    url = f"/api/v1/articles/{article.pk}/"
    edits = 0
    for n in range(3):  # over the API
        etag = api.get(url)["ETag"]
        response = api.patch(
            url, {"dek": f"API edit {n}", "body": f"<p>Body {n}</p>"}, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 200
        edits += 1
    session = admin_session(admin_user)
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    for n in range(2):  # in the admin
        data = form_data(session.get(change_url))
        assert session.post(change_url, {**data, "headline": f"Admin headline {n}"}).status_code == 302
        edits += 1

    revisions = list(article.revisions.order_by("number").select_related("user"))
    assert len(revisions) == start + edits
    assert [r.number for r in revisions] == list(range(1, start + edits + 1))
    new = revisions[start:]
    assert [r.user.username for r in new] == ["editor"] * 3 + ["admin"] * 2
    assert all(r.created_at is not None for r in new)
    assert [r.created_at for r in new] == sorted(r.created_at for r in new)

    k = revisions[start + 1]  # the second API edit
    etag = api.get(url)["ETag"]
    restored = api.post(f"{url}revisions/{k.number}/restore/", HTTP_IF_MATCH=etag)
    assert restored.status_code == 200
    latest = article.revisions.latest()
    assert latest.number == start + edits + 1
    assert content_sha256(latest.snapshot) == content_sha256(k.snapshot)
    assert (restored.json()["dek"], restored.json()["headline"]) == ("API edit 1", "Tram vote")


def test_con_05_revision_diff_view_escapes_html(site, admin_user):
    article = factories.draft_article(site=site, headline="Plain headline")
    hostile = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'
    services.article_update(article=article, headline=hostile, dek=hostile)
    page = (
        admin_session(admin_user)
        .get(reverse("admin:articles_article_revision_diff", args=[article.pk, 1, 2]))
        .content.decode()
    )
    assert "<script>alert(2)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(2)" in page
    assert "&lt;img" in page


# --- CON-08 toggle race ----------------------------------------------------------------------


@RACE
def test_con_08_no_comment_commits_after_commenting_is_switched_off(settings, no_throttles):
    """50 comment POSTs and one PATCH of the site's settings (commenting off) start together.
    Every accepted comment's transaction must have committed before the switch's COMMIT was
    sent: each thread records when its COMMIT returned (comments) or was sent (the switch)."""
    settings.COMMENTS = {**settings.COMMENTS, "PER_CLIENT": (1000, 600), "PER_ARTICLE": (1000, 60)}
    site = Site.objects.get(pk=1)
    article = factories.published_article(site=site, headline="Open thread")
    staff = factories.user_in_group("Editor", username="moderator")
    staff_token = Token.objects.create(user=staff).key
    settings_etag = f'"settings-1-v{services.site_settings_for(site=site).version}"'
    commits: dict[int, tuple[float, float]] = {}  # thread → (before COMMIT, after COMMIT)
    wrapper_class = type(connections["default"])
    original_commit = wrapper_class._commit

    def timed_commit(self):
        before = time.perf_counter()
        result = original_commit(self)
        commits[threading.get_ident()] = (before, time.perf_counter())
        return result

    def request(client, _round, thread):
        if thread == 50:
            time.sleep(0.02)  # let the comment requests get going
            response = client.patch(
                "/api/v1/sites/1/settings/",
                {"comments_enabled": False, "comments_notice": "Commenting is paused."},
                format="json",
                HTTP_AUTHORIZATION=f"Token {staff_token}",
                HTTP_IF_MATCH=settings_etag,
            )
        else:
            response = client.post(
                f"/api/v1/articles/{article.pk}/comments/",
                {"display_name": f"Reader {thread}", "body": f"Comment number {thread} on the vote."},
                format="json",
                REMOTE_ADDR=f"10.0.0.{thread + 1}",
            )
        response.commit_times = commits.get(threading.get_ident())
        response.thread = thread
        return response

    wrapper_class._commit = timed_commit
    try:
        with ServerErrors() as errors:
            (results,) = race_rounds(51, 1, request)
    finally:
        wrapper_class._commit = original_commit

    switch = results[50]
    assert switch.status_code == 200, switch.content
    assert SiteSettings.objects.get(pk=1).comments_enabled is False
    posted = [r for r in results[:50] if r.status_code == 201]
    refused = [r for r in results[:50] if r.status_code == 403]
    assert len(posted) + len(refused) == 50, statuses(results[:50])
    print("CON-08", len(posted), "posted,", len(refused), "refused")
    assert all(r.json()["detail"] == "Commenting is paused." for r in refused)
    assert not errors.records
    switch_commit_sent = switch.commit_times[0]
    late = [r.thread for r in posted if r.commit_times[1] >= switch_commit_sent]
    assert late == [], f"{len(late)} comments committed after commenting was switched off"
    assert Comment.objects.filter(article=article).count() == len(posted)


@pytest.mark.skipif(database_vendor() != "sqlite", reason="documents the SQLite write lock the race test relies on")
def test_con_08_sqlite_transactions_take_the_write_lock_at_begin():
    from django.conf import settings as django_settings

    assert django_settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
