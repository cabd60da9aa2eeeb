"""Revision history, diff and restore in the admin."""

import pytest

from articles import services
from tests import factories


@pytest.fixture
def article(site):
    article = factories.draft_article(site=site, headline="First <b>headline</b>", slug="story", body="<p>Alpha.</p>")
    services.article_publish(article=article)
    services.article_update(article=article, headline="Second headline", body="<p>Alpha.</p><p>Beta.</p>")
    return article


def test_history_lists_every_revision(admin_user_client, article):
    response = admin_user_client.get(f"/admin/articles/article/{article.pk}/history/")
    assert response.status_code == 200
    page = response.content.decode()
    table = page[page.index('id="revision-history"') : page.index("</table>", page.index('id="revision-history"'))]
    assert table.count("<tr>") == 1 + 3  # header + revisions 3, 2, 1
    assert f"/admin/articles/article/{article.pk}/revisions/2/3/" in page
    assert "Restore</button>" in page


def test_diff_shows_changes_side_by_side_and_escaped(admin_user_client, article):
    response = admin_user_client.get(f"/admin/articles/article/{article.pk}/revisions/2/3/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h2>Headline</h2>" in page and "<h2>Body</h2>" in page
    assert "First &lt;b&gt;headline&lt;/b&gt;" in page or "First&nbsp;&lt;b&gt;headline&lt;/b&gt;" in page
    assert "<b>headline</b>" not in page
    assert "Beta." in page


def test_diff_of_unknown_revisions_is_404(admin_user_client, article):
    assert admin_user_client.get(f"/admin/articles/article/{article.pk}/revisions/2/9/").status_code == 404


def test_restore_records_a_new_revision(admin_user_client, article):
    response = admin_user_client.post(f"/admin/articles/article/{article.pk}/revisions/2/restore/", follow=True)
    assert response.status_code == 200
    assert "Revision 2 restored as revision 4." in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "First <b>headline</b>"
    assert list(article.revisions.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_restore_needs_post_and_change_permission(client, article, contributor):
    from django.contrib.auth.models import Permission

    viewer = factories.UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    assert client.get(f"/admin/articles/article/{article.pk}/history/").status_code == 200
    assert client.post(f"/admin/articles/article/{article.pk}/revisions/2/restore/").status_code == 403
    assert client.get(f"/admin/articles/article/{article.pk}/revisions/2/restore/").status_code == 405
    assert article.revisions.count() == 3
