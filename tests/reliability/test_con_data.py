"""CON-06 (trash: soft delete, restore, purge after retention) and CON-07 (transactional
save: an injected failure leaves no partial rows and no orphan files) of RELIABILITY.md."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from articles import services
from articles.models import Article, ArticleImage, Byline, Correction, Image, Revision, SlugHistory, Tombstone
from comments.models import Comment
from tests import factories
from tests.test_admin import add_row, form_data

from .dbstate import db_unchanged
from .test_con import content_sha256

CREDITED = {"alt_text": "Boats at the quay", "creator": "Ana Ribeiro", "agency": "AFP"}


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def staff_api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


# --- CON-06 trash ------------------------------------------------------------------------------


@pytest.fixture
def trashable(site, settings, django_capture_on_commit_callbacks):
    """A published article with a photo of its own, a photo shared with another article, a
    correction, a comment and a former address."""
    with django_capture_on_commit_callbacks(execute=True):
        own = factories.image_with_file(caption="Own photo", upload={"color": (10, 20, 30)}, **CREDITED)
        shared = factories.image_with_file(caption="Shared photo", upload={"color": (90, 90, 90)}, **CREDITED)
    article = factories.published_article(site=site, headline="Ferry timetable", images=[own, shared])
    factories.published_article(site=site, headline="Other story", images=[shared])
    services.correction_add(article=article, text="The ferry leaves at nine.")
    services.article_update(article=article, slug="ferry-timetable-2026")
    Comment.objects.create(article=article, site=site, display_name="R", body="Hi", body_html="<p>Hi</p>")
    return {"article": article, "own": own, "shared": shared}


def test_con_06_delete_restore_and_purge_after_retention(
    trashable, editor, settings, site, django_capture_on_commit_callbacks
):
    article, own, shared = trashable["article"], trashable["own"], trashable["shared"]
    api = staff_api(editor)
    url = f"/api/v1/articles/{article.pk}/"
    page_url = article.get_absolute_url()
    before = content_sha256(article.revisions.latest().snapshot)
    published_at = article.published_at

    # Delete: 204, the public sees 410 (page and API), the article is in the trash.
    deleted = api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"])
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert Client().get(page_url).status_code == 410
    assert APIClient().get(url).status_code == 410
    article.refresh_from_db()
    assert article.status == "withdrawn" and article.withdrawn_at is not None
    trash = api.get("/api/v1/articles/?status=withdrawn").json()["results"]
    assert [a["id"] for a in trash] == [article.pk]

    # Restore within the retention: identical content, same first publication time.
    restored = api.patch(url, {"status": "published"}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert restored.status_code == 200
    article.refresh_from_db()
    assert (article.status, article.published_at) == ("published", published_at)
    assert content_sha256(article.revisions.latest().snapshot) == before
    assert Client().get(page_url).status_code == 200

    # Withdrawn 31 days ago: purged. Another withdrawn 29 days ago: kept.
    services.article_withdraw(article=article, reason="Legal request")
    recent = factories.published_article(site=site, headline="Recent withdrawal")
    services.article_withdraw(article=recent)
    Article.objects.filter(pk=article.pk).update(withdrawn_at=timezone.now() - timedelta(days=31))
    Article.objects.filter(pk=recent.pk).update(withdrawn_at=timezone.now() - timedelta(days=29))
    old_slug = SlugHistory.objects.get(article=article)

    with db_unchanged():
        call_command("purge_trash", "--dry-run", stdout=(out := __import__("io").StringIO()))
    assert "Would purge 1 article(s) withdrawn more than 30 days ago" in out.getvalue()

    own_file, shared_file = Path(own.file.path), Path(shared.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_trash", stdout=out)
    assert "Purged 1 article(s)" in out.getvalue() and "1 unused image(s) (1 shared image(s) kept)" in out.getvalue()
    assert not Article.objects.filter(pk=article.pk).exists()
    for model in (Revision, Byline, ArticleImage, Correction, Comment, SlugHistory):
        assert not model.objects.filter(article_id=article.pk).exists(), model
    assert Article.objects.filter(pk=recent.pk, status="withdrawn").exists()
    assert not Image.objects.filter(pk=own.pk).exists() and not own_file.exists()
    assert Image.objects.filter(pk=shared.pk).exists() and shared_file.exists()
    # Its addresses answer 410 with the reason, never 404.
    gone = Client().get(page_url)
    assert gone.status_code == 410 and "Legal request" in gone.content.decode()
    assert Client().get(f"/{old_slug.pub_date:%Y/%m/%d}/{old_slug.slug}/").status_code == 410
    assert Client().get(f"/a/{article.pk}/", follow=True).status_code == 410
    assert APIClient().get(url).json() == {"detail": "This article was withdrawn.", "reason": "Legal request"}
    assert Tombstone.objects.filter(article_id=article.pk).count() == 2


def test_con_06_purge_keeps_photos_named_by_other_articles_revisions(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo = factories.image_with_file(caption="Once shared", **CREDITED)
    article = factories.published_article(site=site, images=[photo])
    other = factories.draft_article(site=site, images=[photo])
    services.article_update(article=other, placements=[])  # its revision 1 still names the photo
    services.article_withdraw(article=article)
    Article.objects.filter(pk=article.pk).update(withdrawn_at=timezone.now() - timedelta(days=40))
    report = services.trash_purge()
    assert (report.articles, report.images, report.images_kept) == ([article.pk], [], [photo.pk])
    assert Image.objects.filter(pk=photo.pk).exists()


def test_con_06_purge_keeps_syndicated_addresses_gone_not_missing(site):
    """A purged article syndicated to another site answers 410 there too (its own address,
    its former one and /a/<id>/), not 404."""
    from django.contrib.sites.models import Site

    from articles.models import SiteSettings

    partner = Site.objects.create(domain="127.0.0.1", name="Partner")
    SiteSettings.objects.create(site=partner)
    article = factories.published_article(site=site, headline="Shared story", sites=[partner])
    services.article_update(article=article, slug="shared-story-2026")
    old_slug = SlugHistory.objects.get(article=article)
    page_url, old_url = article.get_absolute_url(), f"/{old_slug.pub_date:%Y/%m/%d}/{old_slug.slug}/"
    assert Client().get(page_url, HTTP_HOST="127.0.0.1").status_code == 200
    services.article_withdraw(article=article, reason="Legal request")
    Article.objects.filter(pk=article.pk).update(withdrawn_at=timezone.now() - timedelta(days=31))
    assert services.trash_purge(dry_run=True).tombstones == 4
    assert services.trash_purge().tombstones == 4
    for host in ("testserver", "127.0.0.1"):
        gone = Client().get(page_url, HTTP_HOST=host)
        assert gone.status_code == 410 and "Legal request" in gone.content.decode(), host
        assert Client().get(old_url, HTTP_HOST=host).status_code == 410, host
        assert Client().get(f"/a/{article.pk}/", HTTP_HOST=host, follow=True).status_code == 410, host
    assert set(Tombstone.objects.filter(article_id=article.pk).values_list("site_id", flat=True)) == {
        site.pk,
        partner.pk,
    }


def test_con_06_admin_restores_from_the_trash(site, admin_user):
    article = factories.published_article(site=site, headline="Back again")
    services.article_withdraw(article=article)
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "restore_selected", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "Restored 1 article." in response.content.decode()
    article.refresh_from_db()
    assert article.status == "published"


# --- CON-07 transactional save -------------------------------------------------------------------


def test_con_07_api_create_failing_before_the_revision_writes_nothing(site, editor):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(editor)
    body = {"site": site.pk, "headline": "Half written", "body": "<p>x</p>", "bylines": []}
    for target in ("articles.services.articles.revision_create", "articles.services.articles.article_set_images"):
        with mock.patch(target, side_effect=DatabaseError("injected")), db_unchanged():
            response = api.post("/api/v1/articles/", body, format="json")
        assert response.status_code == 500, target


def test_con_07_admin_add_failing_before_the_revision_writes_nothing(site, admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    add_url = reverse("admin:articles_article_add")
    data = form_data(client.get(add_url))
    data.update(headline="Half written", slug="half-written", body="<p>Text.</p>")
    add_row(data, "bylines", author=factories.AuthorFactory().pk, role="author", position=0, credit_text="")
    with mock.patch("articles.services.revision_create", side_effect=DatabaseError("injected")), db_unchanged():
        assert client.post(add_url, data).status_code == 500


def test_con_07_upload_with_a_failing_database_write_leaves_no_file(editor, settings):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(editor)
    for target, error in (
        ("articles.models.Image.save", DatabaseError("injected")),  # the row write fails
        ("articles.renditions.schedule_renditions", RuntimeError("injected")),  # after the row, before commit
    ):
        with mock.patch(target, side_effect=error), db_unchanged():
            response = api.post("/api/v1/images/", {"file": factories.image_upload(), "alt_text": "Boats"})
        assert response.status_code == 500, target
        assert media_files(settings) == [], target


def test_con_07_files_of_a_rolled_back_transaction_are_removed(site, settings, django_capture_on_commit_callbacks):
    """An image stored inside a larger transaction (an import: photos, then the article) that
    fails later: the row and the file go; renditions, made only on commit, were never made."""
    with (
        db_unchanged(),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(DatabaseError),
        transaction.atomic(),
    ):
        image = factories.image_with_file(caption="Imported photo")
        assert Path(image.file.path).exists()
        factories.draft_article(site=site, images=[image])
        raise DatabaseError("injected after the article and its photo")
    assert callbacks == []  # rolled back: nothing left to run on commit
    assert media_files(settings) == []


def test_con_07_committed_uploads_keep_their_files(editor, settings):
    api = staff_api(editor)
    response = api.post("/api/v1/images/", {"file": factories.image_upload(), "alt_text": "Boats"})
    assert response.status_code == 201
    image = Image.objects.get(pk=response.json()["id"])
    assert Path(image.file.path).exists()


@pytest.mark.django_db(transaction=True)
def test_con_07_a_failing_earlier_commit_hook_keeps_the_committed_upload(settings):
    """Django drops the hooks after a non-robust on-commit hook that raises; the upload's
    commit flag must not be among them, or its file would be deleted after the commit."""
    import gc

    def broken():
        raise RuntimeError("injected hook failure")

    def commit_with_a_broken_hook_first() -> Image:
        with pytest.raises(RuntimeError, match="injected hook failure"), transaction.atomic():
            transaction.on_commit(broken)  # registered first, by someone else
            image = factories.image_with_file(caption="Committed photo")
        return image

    image = commit_with_a_broken_hook_first()
    gc.collect()  # the dropped hooks (and any finaliser) are gone by now
    assert Image.objects.filter(pk=image.pk).exists()
    assert Path(image.file.path).exists()


def test_con_06_admin_lists_purged_addresses_read_only(site, admin_user):
    Tombstone.objects.create(
        article_id=7, site=site, pub_date="2026-01-02", slug="gone", withdrawn_reason="<b>Legal</b>"
    )
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:articles_tombstone_changelist")).content.decode()
    assert "/2026/01/02/gone/" in page and "&lt;b&gt;Legal&lt;/b&gt;" in page
    assert client.get(reverse("admin:articles_tombstone_add")).status_code == 403
