"""Time travel (RFC 7089): mementos of published revisions, TimeGate, TimeMap."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils.http import http_date

from articles import services
from articles.models import Revision
from tests import factories

T0 = datetime(2025, 3, 14, 6, 30, tzinfo=UTC)


@pytest.fixture
def article(site):
    """Published at T0 (revision 2), edited at T0+2h (3) and T0+5h (4); revision 1 is the draft."""
    article = factories.draft_article(site=site, headline="Ferry returns", slug="ferry", body="<p>First text.</p>")
    services.article_publish(article=article, published_at=T0)
    services.article_update(article=article, body="<p>Second text.</p>")
    services.article_update(article=article, body="<p>Third text.</p>")
    for number, moment in (
        (1, T0 - timedelta(hours=1)),
        (2, T0),
        (3, T0 + timedelta(hours=2)),
        (4, T0 + timedelta(hours=5)),
    ):
        Revision.objects.filter(article=article, number=number).update(created_at=moment)
    return article


def url(article, tail=""):
    return f"{article.get_absolute_url()}{tail}"


def test_live_page_links_its_timegate_and_timemap_without_memento_datetime(client, article):
    response = client.get(url(article))
    assert response.status_code == 200
    assert "Memento-Datetime" not in response
    assert f'<http://localhost{url(article, "timegate/")}>; rel="timegate"' in response["Link"]
    assert (
        f'<http://localhost{url(article, "timemap/")}>; rel="timemap"; type="application/link-format"'
        in response["Link"]
    )


def test_a_memento_shows_that_version_with_a_banner_and_headers(client, article):
    response = client.get(url(article, "rev/3/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<p>Second text.</p>" in page and "Third text" not in page
    assert "This is an archived version of this article" in page
    assert f'href="{url(article)}">Read the current version</a>' in page
    assert response["Memento-Datetime"] == http_date((T0 + timedelta(hours=2)).timestamp())
    link = response["Link"]
    assert f'<http://localhost{url(article)}>; rel="original"' in link
    assert 'rel="timegate"' in link and 'rel="timemap"' in link


def test_unpublished_revisions_and_unknown_numbers_are_404(client, article):
    assert client.get(url(article, "rev/1/")).status_code == 404  # the draft revision
    assert client.get(url(article, "rev/9/")).status_code == 404


@pytest.mark.parametrize(
    ("moment", "number"),
    [
        (T0 - timedelta(days=1), 2),  # before the first memento: the first
        (T0 + timedelta(hours=1), 2),  # between two: the one current then
        (T0 + timedelta(hours=2), 3),  # exactly at one
        (T0 + timedelta(hours=3), 3),
        (T0 + timedelta(days=30), 4),  # after the last: the last
    ],
)
def test_timegate_redirects_to_the_memento_current_at_accept_datetime(client, article, moment, number):
    response = client.get(url(article, "timegate/"), HTTP_ACCEPT_DATETIME=http_date(moment.timestamp()))
    assert response.status_code == 302
    assert response["Location"] == f"http://localhost{url(article, f'rev/{number}/')}"
    assert response["Vary"] == "accept-datetime"
    assert 'rel="original"' in response["Link"]


def test_timegate_without_accept_datetime_gives_the_latest(client, article):
    response = client.get(url(article, "timegate/"))
    assert (response.status_code, response["Location"]) == (302, f"http://localhost{url(article, 'rev/4/')}")


@pytest.mark.parametrize("bad", ["yesterday", "2025-03-14", "Thu, 99 Mar 2025 09:05:00 GMT", ""])
def test_timegate_refuses_a_bad_accept_datetime(client, article, bad):
    response = client.get(url(article, "timegate/"), HTTP_ACCEPT_DATETIME=bad)
    assert response.status_code == 400
    assert "Accept-Datetime must be an HTTP date" in response.json()["detail"]


def test_timemap_lists_every_memento_as_link_format(client, article):
    response = client.get(url(article, "timemap/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/link-format"
    lines = response.content.decode().strip().split(",\n")
    base = f"http://localhost{url(article)}"
    assert lines[0] == f'<{base}>; rel="original"'
    assert lines[1] == f'<{base}timegate/>; rel="timegate"'
    assert lines[2].startswith(f'<{base}timemap/>; rel="self"; type="application/link-format"; from="')
    assert lines[3:] == [
        f'<{base}rev/2/>; rel="first memento"; datetime="{http_date(T0.timestamp())}"',
        f'<{base}rev/3/>; rel="memento"; datetime="{http_date((T0 + timedelta(hours=2)).timestamp())}"',
        f'<{base}rev/4/>; rel="last memento"; datetime="{http_date((T0 + timedelta(hours=5)).timestamp())}"',
    ]


def test_drafts_and_withdrawn_articles_have_no_public_mementos(client, site, article):
    services.article_withdraw(article=article, reason="Legal")
    assert client.get(url(article, "rev/2/")).status_code == 404
    assert client.get(url(article, "timemap/")).status_code == 404


def test_memento_escapes_plain_text_fields(client, site):
    article = factories.draft_article(site=site, headline="<script>alert(1)</script>", slug="x")
    services.article_publish(article=article)
    page = client.get(url(article, "rev/2/")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_corrections_appear_in_json_ld_and_feeds(client, site, article):
    services.correction_add(article=article, text="An earlier version gave the wrong ferry name.")
    page = client.get(url(article)).content.decode()
    assert '"correction":[{"@type":"CorrectionComment","text":"An earlier version gave the wrong ferry name."' in page
    rss = client.get("/feeds/rss/").content.decode()
    assert "Correction (" in rss and "An earlier version gave the wrong ferry name." in rss


def test_a_revision_snapshot_with_unsafe_html_is_rendered_inert(client, article):
    revision = article.revisions.get(number=3)
    Revision.objects.filter(pk=revision.pk).update(
        snapshot={**revision.snapshot, "body": '<p onclick="x()">Hi</p><script>alert(1)</script>'}
    )
    page = client.get(url(article, "rev/3/")).content.decode()
    assert "<p>Hi</p>" in page and "alert(1)" not in page and "onclick" not in page
