"""RSS 2.0 and Atom feeds, read with feedparser: no bozo, full bylines, Media RSS photos."""

from datetime import timedelta

import feedparser
import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.utils import timezone
from lxml import etree

from articles import services
from articles.services import BylineSpec, PlacementSpec
from tests import factories
from tests.test_views import make_article

FEEDS = ["/feeds/rss/", "/feeds/atom/"]
MEDIA = "{http://search.yahoo.com/mrss/}"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def photographed(site):
    photo = factories.image_with_file(
        caption="Boats leave the harbour at dawn.",
        creator="Anatolii Stepanov",
        agency="AFP",
        distributor="Getty Images",
        alt_text="Boats",
        upload={"width": 120, "height": 80},
    )
    bylines = [
        BylineSpec(author=factories.AuthorFactory(name="Ann Ames", slug="ann-ames")),
        BylineSpec(author=factories.AuthorFactory(name="Bo Berg")),
        BylineSpec(author=factories.AuthorFactory(name="Cy Cole"), role="additional_reporting"),
    ]
    return make_article(
        site,
        headline="Harbour reopens",
        dek="The wall is rebuilt.",
        bylines=bylines,
        placements=[PlacementSpec(image=photo, role="lead")],
        tags=[factories.TagFactory(name="Harbour")],
    )


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.mark.parametrize(("url", "version"), [("/feeds/rss/", "rss20"), ("/feeds/atom/", "atom10")])
def test_feeds_parse_without_errors(client, photographed, url, version):
    response, feed = parse(client, url)
    assert feed.version == version
    assert response["Content-Type"].startswith("application/rss+xml" if "rss" in url else "application/atom+xml")
    assert feed.feed.title == "Newsroom"
    [entry] = feed.entries
    assert entry.title == "Harbour reopens"
    assert entry.link == f"http://localhost{photographed.get_absolute_url()}"
    assert entry.id == f"http://localhost/a/{photographed.pk}/"
    assert [tag.term for tag in entry.tags] == ["Harbour"]


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_credit_every_byline(client, photographed, url):
    _response, feed = parse(client, url)
    assert [author["name"] for author in feed.entries[0].authors] == ["Ann Ames", "Bo Berg", "Cy Cole"]


def test_atom_authors_link_to_author_pages(client, photographed):
    _response, feed = parse(client, "/feeds/atom/")
    assert feed.entries[0].authors[0]["href"] == "http://localhost/authors/ann-ames/"


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_carry_the_lead_photo_as_media_rss(client, photographed, url):
    response, feed = parse(client, url)
    [content] = feed.entries[0].media_content
    photo = photographed.placements.get().image
    assert content == {
        "url": f"http://localhost{photo.file.url}",
        "medium": "image",
        "type": "image/jpeg",
        "width": "120",
        "height": "80",
    }
    assert feed.entries[0].media_credit == [{"content": "Anatolii Stepanov/AFP via Getty Images"}]
    # feedparser does not surface media:description: read it from the XML.
    descriptions = [e.text for e in etree.fromstring(response.content).iter(f"{MEDIA}description")]
    assert descriptions == ["Boats leave the harbour at dawn."]


def test_rss_declares_dublin_core_and_media_namespaces(client, photographed):
    content = client.get("/feeds/rss/").content
    assert b'xmlns:dc="http://purl.org/dc/elements/1.1/"' in content
    assert b'xmlns:media="http://search.yahoo.com/mrss/"' in content
    assert content.count(b"<dc:creator>") == 3


@pytest.mark.parametrize("url", FEEDS)
def test_photo_without_a_file_is_left_out_of_the_feed(client, site, url):
    make_article(site, placements=[PlacementSpec(image=factories.ImageFactory(), role="lead")])
    _response, feed = parse(client, url)
    assert "media_content" not in feed.entries[0]


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_list_only_public_articles_of_the_site(client, site, url):
    now = timezone.now()
    make_article(site, headline="Public")
    make_article(site, headline="Scheduled", published_at=now + timedelta(days=1))
    make_article(site, headline="Draft", publish=False)
    make_article(site, headline="Embargoed", embargo_until=now + timedelta(days=1))
    services.article_withdraw(article=make_article(site, headline="Withdrawn"), reason="")
    make_article(Site.objects.create(domain="other.example", name="Other"), headline="Elsewhere")
    _response, feed = parse(client, url)
    assert [entry.title for entry in feed.entries] == ["Public"]


def test_feed_is_capped(client, site, settings):
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "FEED_ITEMS": 2}
    for n in range(3):
        make_article(site, headline=f"Story {n}", published_at=timezone.now() - timedelta(hours=n + 1))
    _response, feed = parse(client, "/feeds/rss/")
    assert [entry.title for entry in feed.entries] == ["Story 0", "Story 1"]


def test_wire_byline_in_feed(client, site):
    agency = factories.AuthorFactory(name="Reuters", kind="organization")
    make_article(site, bylines=[BylineSpec(author=agency, role="reporter", credit_text="Reuters staff")])
    _response, feed = parse(client, "/feeds/rss/")
    assert [a["name"] for a in feed.entries[0].authors] == ["Reuters staff"]


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_answer_conditional_requests(client, photographed, url):
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=300"
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


@pytest.mark.parametrize("url", FEEDS)
def test_feed_queries_are_pinned(client, site, url, django_assert_num_queries):
    for _ in range(3):
        make_article(
            site,
            bylines=[BylineSpec(author=factories.AuthorFactory()) for _ in range(2)],
            placements=[PlacementSpec(image=factories.ImageFactory(), role="lead")],
            tags=[factories.TagFactory()],
        )
    client.get("/robots.txt")  # resolves the request's site once per process
    # 1 the site's settings and state · 2 the articles · 3 bylines with authors
    # 4 photo placements with images · 5 tags · 6 corrections
    with django_assert_num_queries(6):
        client.get(url)
    with django_assert_num_queries(0):  # then from the page cache
        client.get(url)
