"""Concurrent writers over the API: real threads, real connections, real transactions.

Each thread has its own APIClient (token authentication) and its own database connection,
closed when the thread ends. A barrier releases all threads at once so their requests
overlap. Runs on SQLite (file database with a busy timeout) and PostgreSQL.
"""

import threading
from collections import Counter

import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article, Revision
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _clear_throttle_counts():
    cache.clear()


def race(count: int, request) -> list:
    """Run ``request(client)`` in ``count`` threads released together; return the responses
    (or the exception a thread raised) in thread order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        client = APIClient(raise_request_exception=False)
        try:
            barrier.wait(timeout=30)
            results[index] = request(client)
        except Exception as error:  # noqa: BLE001 - reported by the test's assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


def statuses(results) -> Counter:
    return Counter(r.status_code if hasattr(r, "status_code") else repr(r) for r in results)


@pytest.fixture
def editor_token(editor):
    return Token.objects.create(user=editor).key


def test_fifty_concurrent_patches_with_one_etag_give_one_success(editor_token):
    article = factories.published_article(site=Site.objects.get(pk=1), headline="Harbour vote")
    revisions_before = Revision.objects.filter(article=article).count()
    etag = f'"article-{article.pk}-v{article.version}"'

    def patch(client):
        return client.patch(
            f"/api/v1/articles/{article.pk}/",
            {"dek": f"Edited by thread {threading.get_ident()}"},
            format="json",
            HTTP_AUTHORIZATION=f"Token {editor_token}",
            HTTP_IF_MATCH=etag,
        )

    results = race(50, patch)

    assert statuses(results) == Counter({200: 1, 412: 49})
    winner = next(r for r in results if r.status_code == 200)
    article_after = Article.objects.get(pk=article.pk)
    assert article_after.version == article.version + 1
    assert winner["ETag"] == f'"article-{article.pk}-v{article.version + 1}"'
    assert article_after.dek == winner.json()["dek"]
    assert Revision.objects.filter(article=article).count() == revisions_before + 1
    loser = next(r for r in results if r.status_code == 412)
    assert loser.json() == {
        "detail": "The resource was changed by someone else since you loaded it: GET it again and reapply your change."
    }


SLUG_TAKEN = {
    "slug": ["Another unpublished article on this site already uses the slug “ferry-strike-ends”; choose another."]
}
CONFLICT = {"detail": "The change conflicts with another one made at the same time; try again."}


@pytest.mark.parametrize("count", [2, 8])
def test_concurrent_creates_of_one_slug_give_one_article(editor_token, count):
    body = {"site": 1, "headline": "Ferry strike ends", "slug": "ferry-strike-ends", "body": "<p>Boats run.</p>"}

    def create(client):
        return client.post("/api/v1/articles/", body, format="json", HTTP_AUTHORIZATION=f"Token {editor_token}")

    results = race(count, create)

    counted = statuses(results)
    assert counted[201] == 1
    assert sum(counted.values()) == count
    assert set(counted) <= {201, 400, 409}, counted
    assert Article.objects.filter(slug="ferry-strike-ends").count() == 1
    assert Revision.objects.filter(article__slug="ferry-strike-ends").count() == 1
    for refused in (r for r in results if r.status_code in (400, 409)):
        assert refused.json() in (SLUG_TAKEN, CONFLICT)
