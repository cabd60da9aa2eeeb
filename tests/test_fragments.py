"""The fragment cache (articles/fragments.py) never shows a stale article: every edit of
the article or of anything it shows (authors, photos and credits, tags, corrections, the
site's settings) changes the article page and the API's JSON on the next request, while
what changes per reader or with time (comment count, commenting state) is never cached.

The page cache is off here, so each request is rendered from the fragments."""

import json
import re

import pytest

from articles import services
from articles.models import SiteSettings
from comments.models import Comment
from tests import factories

API = "/api/v1/articles/"


@pytest.fixture(autouse=True)
def fragments_only(settings):
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGE_CACHE_TIMEOUT": 0, "FRAGMENT_CACHE_TIMEOUT": 600}


@pytest.fixture
def author(db):
    return factories.AuthorFactory(name="Ada Reporter", slug="ada-reporter")


@pytest.fixture
def image(db):
    return factories.ImageFactory(caption="Boats leave the harbour.", creator="Anatolii Stepanov", agency="AFP")


@pytest.fixture
def article(site, author, image):
    article = factories.draft_article(
        site=site,
        headline="Harbour reopens",
        authors=[author],
        images=[image],
        tags=[factories.TagFactory(name="Trams", slug="trams")],
    )
    return services.article_publish(article=article)


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def api_detail(client, article) -> dict:
    response = client.get(f"{API}{article.pk}/")
    assert response.status_code == 200
    return response.json()


def api_first(client) -> dict:
    response = client.get(API)
    assert response.status_code == 200
    return response.json()["results"][0]


def jsonld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])


def test_the_second_request_is_served_from_fragments(client, article, django_assert_num_queries):
    first = page(client, article)
    with django_assert_num_queries(1):  # the article row only: its parts come from the cache
        assert page(client, article) == first
    api_detail(client, article)
    with django_assert_num_queries(1):
        assert api_detail(client, article)["headline"] == "Harbour reopens"


def test_an_article_edit_shows_at_once(client, article):
    page(client, article), api_detail(client, article), api_first(client)
    services.article_update(article=article, headline="Harbour wall reopens at last", body="<p>New body.</p>")
    html = page(client, article)
    assert "Harbour wall reopens at last" in html and "New body." in html
    assert jsonld(html)["headline"] == "Harbour wall reopens at last"
    assert api_detail(client, article)["headline"] == "Harbour wall reopens at last"
    assert api_first(client)["body"] == "<p>New body.</p>"


def test_a_correction_shows_at_once(client, article):
    page(client, article), api_detail(client, article)
    services.correction_add(article=article, text="An earlier version misspelt the mayor's name.")
    assert "misspelt the mayor" in page(client, article)
    assert [c["text"] for c in api_detail(client, article)["corrections"]] == [
        "An earlier version misspelt the mayor's name."
    ]


def test_an_author_rename_shows_at_once(client, article, author):
    page(client, article), api_detail(client, article), api_first(client)
    author.name = "Ada Lovelace-Reporter"
    services.author_save(author=author)
    assert "Ada Lovelace-Reporter" in page(client, article)
    assert api_detail(client, article)["bylines"][0]["name"] == "Ada Lovelace-Reporter"
    assert api_first(client)["bylines"][0]["author"]["name"] == "Ada Lovelace-Reporter"


def test_a_photo_credit_change_shows_at_once(client, article, image):
    page(client, article), api_detail(client, article)
    services.image_update(image=image, caption="Ferries wait at the quay.", distributor="Getty Images")
    html = page(client, article)
    assert "Ferries wait at the quay." in html and "Anatolii Stepanov/AFP via Getty Images" in html
    lead = api_detail(client, article)["lead_image"]
    assert (lead["caption"], lead["credit"]) == ("Ferries wait at the quay.", "Anatolii Stepanov/AFP via Getty Images")


def test_a_tag_rename_shows_at_once(client, article):
    page(client, article), api_detail(client, article)
    tag = article.tags.get()
    tag.name = "Light rail"
    tag.save()
    assert "Light rail" in page(client, article)
    assert api_detail(client, article)["tags"] == [{"name": "Light rail", "slug": "trams"}]


def test_site_settings_changes_show_at_once(client, site, article):
    page(client, article)
    services.site_settings_update(
        site_settings=SiteSettings.objects.get(site=site), publisher_name="The Harbour Courier"
    )
    html = page(client, article)
    assert '<meta property="og:site_name" content="The Harbour Courier">' in html
    assert jsonld(html)["publisher"]["name"] == "The Harbour Courier"


def test_time_zone_change_shows_in_the_article_dates(client, site, article):
    before = page(client, article)
    services.site_settings_update(site_settings=SiteSettings.objects.get(site=site), time_zone="Asia/Tokyo")
    after = page(client, article)
    assert "JST" in after and "JST" not in before


def test_comment_count_and_commenting_state_are_never_cached(client, site, article):
    assert api_detail(client, article)["comment_count"] == 0
    assert api_first(client)["comments"]["state"] == "open"
    Comment.objects.create(
        article=article, site=site, display_name="Reader", body="Well said", body_html="<p>Well said</p>",
        body_hash="h", client_hash="c", status="approved",
    )  # fmt: skip
    services.sites_set_commenting(sites=[site], enabled=False, notice="Commenting is paused tonight.")
    detail = api_detail(client, article)
    assert detail["comment_count"] == 1
    assert detail["comments"] == {
        "state": "closed",
        "reason": "site_disabled",
        "message": "Commenting is paused tonight.",
    }
    html = page(client, article)
    assert "Well said" in html and "Commenting is paused tonight." in html
    assert jsonld(html)["commentCount"] == 1 and "discussionUrl" not in jsonld(html)


def test_urls_follow_the_request_host(client, article):
    api_detail(client, article)
    other = client.get(f"{API}{article.pk}/", HTTP_HOST="127.0.0.1").json()
    assert other["url"].startswith("http://127.0.0.1/")
    assert api_detail(client, article)["url"].startswith("http://testserver/")


def test_off_switch(client, settings, article, django_assert_num_queries):
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "FRAGMENT_CACHE_TIMEOUT": 0}
    page(client, article)
    with django_assert_num_queries(5):  # nothing stored: the relations are read every time
        page(client, article)
