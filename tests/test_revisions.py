"""Revisions: one per save, immutable, readable over the API, restorable as a new revision."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from articles import services
from articles.models import Revision
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def history(site):
    """An article with 4 revisions: created (draft), published, headline edit, photo swap."""
    first_image = factories.ImageFactory(caption="First caption")
    article = factories.draft_article(site=site, headline="First headline", slug="story", images=[first_image])
    services.article_update(
        article=article,
        placements=[services.PlacementSpec(image=first_image, role="lead", caption="Use caption")],
        message="Per-use caption",
    )
    services.article_publish(article=article)
    services.article_update(article=article, headline="Second headline", message="Sharper")
    return article


def test_restore_makes_a_new_revision_and_keeps_the_old_ones(history):
    before = list(Revision.objects.filter(article=history).values_list("number", "snapshot"))
    second = history.revisions.get(number=2)
    services.article_update(article=history, placements=[], message="Photo removed")
    services.article_restore(article=history, revision=second)
    history.refresh_from_db()
    assert history.headline == "First headline"
    placement = history.placements.get()
    assert (placement.caption, placement.role, placement.image.caption) == ("Use caption", "lead", "First caption")
    latest = history.revisions.latest()
    assert (latest.number, latest.message) == (6, "Restored revision 2")
    assert list(Revision.objects.filter(article=history, number__lte=4).values_list("number", "snapshot")) == before
    assert history.status == "published"  # content comes back, publication state stays


def test_restore_reproduces_the_revision_content_exactly(history):
    second = history.revisions.get(number=2)
    services.article_update(article=history, headline="Third", dek="Changed", placements=[])
    services.article_restore(article=history, revision=second)
    restored = history.revisions.latest().snapshot
    for key in ("headline", "dek", "body", "dateline", "bylines", "images", "tags", "section"):
        assert restored[key] == second.snapshot[key], key


def test_revision_api_lists_published_revisions_to_the_public(history):
    api = APIClient()
    response = api.get(f"/api/v1/articles/{history.pk}/revisions/")
    assert response.status_code == 200
    listed = response.json()["results"]
    assert [(r["number"], r["status"], r["is_published"]) for r in listed] == [
        (3, "published", True),
        (4, "published", True),
    ]
    assert api.get(f"/api/v1/articles/{history.pk}/revisions/1/").status_code == 404  # a draft revision
    detail = api.get(f"/api/v1/articles/{history.pk}/revisions/4/").json()
    assert (detail["message"], detail["snapshot"]["headline"]) == ("Sharper", "Second headline")


def test_staff_see_every_revision(history, editor):
    api = APIClient()
    api.force_authenticate(editor)
    numbers = [r["number"] for r in api.get(f"/api/v1/articles/{history.pk}/revisions/").json()["results"]]
    assert numbers == [1, 2, 3, 4]


def test_drafts_have_no_public_history(site):
    draft = factories.draft_article(site=site)
    assert APIClient().get(f"/api/v1/articles/{draft.pk}/revisions/").status_code == 404


def test_restore_over_the_api_needs_if_match_and_permission(history, editor):
    api = APIClient()
    url = f"/api/v1/articles/{history.pk}/revisions/2/restore/"
    assert api.post(url).status_code in (401, 403)
    api.force_authenticate(editor)
    response = api.post(url)
    assert response.status_code == 428
    assert history.revisions.count() == 4
    etag = api.get(f"/api/v1/articles/{history.pk}/")["ETag"]
    assert api.post(url, HTTP_IF_MATCH='"article-1-v1"').status_code == 412
    response = api.post(url, HTTP_IF_MATCH=etag)
    assert (response.status_code, response.json()["headline"]) == (200, "First headline")
    assert history.revisions.count() == 5
    assert api.post(f"/api/v1/articles/{history.pk}/revisions/99/restore/", HTTP_IF_MATCH=etag).status_code == 404


def test_revision_numbers_are_strict(history):
    api = APIClient()
    for bad in ("03", "+3", "3a", "0"):
        assert api.get(f"/api/v1/articles/{history.pk}/revisions/{bad}/").status_code == 404
