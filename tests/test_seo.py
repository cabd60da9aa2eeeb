"""Metadata for crawlers and aggregators: schema.org NewsArticle JSON-LD (read with extruct,
checked against schema.org 30.0), canonical link, Open Graph and Twitter tags, sitemaps
(validated with xmlschema against the sitemaps.org XSDs) and the Google News sitemap."""

import csv
import json
from datetime import timedelta
from pathlib import Path

import extruct
import lxml.html
import pytest
import xmlschema
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from lxml import etree

from articles import services
from articles.models import Article, SiteSettings
from articles.services import BylineSpec, PlacementSpec
from tests import factories
from tests.test_views import make_article

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"

# The Google News sitemap extension, written from Google's documentation of the format
# (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap): the
# sitemaps.org XSD processes foreign elements strictly, so it needs their schema.
NEWS_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
            targetNamespace="http://www.google.com/schemas/sitemap-news/0.9"
            xmlns="http://www.google.com/schemas/sitemap-news/0.9" elementFormDefault="qualified">
  <xsd:element name="news">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:element name="publication">
          <xsd:complexType>
            <xsd:sequence>
              <xsd:element name="name" type="xsd:string"/>
              <xsd:element name="language">
                <xsd:simpleType>
                  <xsd:restriction base="xsd:string"><xsd:pattern value="[a-z]{2,3}|zh-cn|zh-tw"/></xsd:restriction>
                </xsd:simpleType>
              </xsd:element>
            </xsd:sequence>
          </xsd:complexType>
        </xsd:element>
        <xsd:element name="publication_date" type="xsd:dateTime"/>
        <xsd:element name="title" type="xsd:string"/>
      </xsd:sequence>
    </xsd:complexType>
  </xsd:element>
</xsd:schema>
"""


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def schemaorg():
    """The names schema.org 30.0 defines: properties (CSV) and every term (context)."""
    with open(STANDARDS / "schemaorg-30.0-current-https-properties.csv", newline="", encoding="utf-8") as file:
        properties = {row["label"] for row in csv.DictReader(file)}
    context = json.loads((STANDARDS / "schemaorg-30.0-context.jsonld").read_text(encoding="utf-8"))["@context"]
    types = {term for term in context if term[:1].isupper()}
    return properties, types


def json_ld(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    data = extruct.extract(response.content.decode(), base_url="http://localhost/", syntaxes=["json-ld"])
    return data["json-ld"]


def walk(node):
    """Yield every (key, value) pair of a JSON-LD tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


@pytest.fixture
def rich_article(site):
    SiteSettings.objects.filter(site=site).update(publisher_name="The Harbour Courier", time_zone="Europe/Lisbon")
    settings_row = SiteSettings.objects.get(site=site)
    settings_row.publisher_logo.save("logo.png", SimpleUploadedFile("logo.png", factories.image_bytes(fmt="PNG")))
    photo = factories.image_with_file(
        caption="Boats leave the harbour.",
        creator="Anatolii Stepanov",
        agency="AFP",
        distributor="Getty Images",
        copyright_notice="© AFP 2025",
        alt_text="Boats at dawn",
    )
    missing = factories.ImageFactory(caption="Not archived.", creator="", agency="Reuters", distributor="")
    bylines = [
        BylineSpec(author=factories.AuthorFactory(name="Ann Ames", slug="ann-ames", url="https://ann.example")),
        BylineSpec(author=factories.AuthorFactory(name="Reuters", slug="reuters", kind="organization")),
        BylineSpec(credit_text="Staff and agencies"),
        BylineSpec(author=factories.AuthorFactory(name="Cy Cole"), role="photographer"),
    ]
    return make_article(
        site,
        headline="Harbour reopens",
        dek="The wall is rebuilt.",
        bylines=bylines,
        placements=[PlacementSpec(image=photo, role="lead"), PlacementSpec(image=missing)],
        section=factories.SectionFactory(name="Local", slug="local"),
        tags=[factories.TagFactory(name="Harbour")],
        dateline_place="Lisbon",
    )


def test_json_ld_uses_only_schema_org_names(client, rich_article, schemaorg):
    properties, types = schemaorg
    [data] = json_ld(client, rich_article.get_absolute_url())
    pairs = list(walk(data))
    unknown = {key for key, _value in pairs if not key.startswith("@") and key not in properties}
    assert unknown == set()
    used_types = {value for key, value in pairs if key == "@type"}
    assert used_types == {"NewsArticle", "WebPage", "ImageObject", "Person", "Organization"}
    assert used_types <= types
    assert data["@context"] == "https://schema.org"


def test_json_ld_describes_the_article(client, rich_article):
    [data] = json_ld(client, rich_article.get_absolute_url())
    url = f"http://localhost{rich_article.get_absolute_url()}"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Harbour reopens"
    assert data["description"] == "The wall is rebuilt."
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["url"] == url
    assert data["dateline"] == "Lisbon"
    assert data["wordCount"] == rich_article.word_count > 0
    assert data["isAccessibleForFree"] is True
    assert data["inLanguage"] == "en"
    assert data["articleSection"] == "Local"
    assert data["keywords"] == ["Harbour"]
    published = timezone.localtime(rich_article.published_at, timezone.get_fixed_timezone(0))
    assert data["datePublished"].startswith(f"{published:%Y-%m-%d}")
    assert data["dateModified"]


def test_json_ld_authors_are_people_or_organisations(client, rich_article):
    [data] = json_ld(client, rich_article.get_absolute_url())
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Ann Ames",
            "url": "http://localhost/authors/ann-ames/",
            "sameAs": "https://ann.example",
        },
        {"@type": "Organization", "name": "Reuters", "url": "http://localhost/authors/reuters/"},
        {"@type": "Organization", "name": "Staff and agencies"},
    ]
    assert data["contributor"][0]["name"] == "Cy Cole"


def test_json_ld_images_carry_their_credits(client, rich_article):
    [data] = json_ld(client, rich_article.get_absolute_url())
    photo = rich_article.placements.get(role="lead").image
    lead, missing = data["image"]
    assert lead == {
        "@type": "ImageObject",
        "contentUrl": f"http://localhost{photo.file.url}",
        "url": f"http://localhost{photo.file.url}",
        "width": 64,
        "height": 48,
        "caption": "Boats leave the harbour.",
        "description": "Boats at dawn",
        "creditText": "Anatolii Stepanov/AFP via Getty Images",
        "creator": {"@type": "Person", "name": "Anatolii Stepanov"},
        "copyrightNotice": "© AFP 2025",
    }
    assert "contentUrl" not in missing and "url" not in missing
    assert missing["creditText"] == "Reuters"
    assert missing["creator"] == {"@type": "Organization", "name": "Reuters"}


def test_json_ld_publisher_has_name_and_logo(client, rich_article):
    [data] = json_ld(client, rich_article.get_absolute_url())
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "The Harbour Courier"
    assert publisher["logo"]["@type"] == "ImageObject"
    assert publisher["logo"]["url"].startswith("http://localhost/media/site/logos/logo")


def test_json_ld_names_the_discussion_only_when_comments_are_open(client, site, rich_article):
    [data] = json_ld(client, rich_article.get_absolute_url())
    assert data["discussionUrl"] == f"http://localhost{rich_article.get_absolute_url()}#comments"
    closed = make_article(site, comments_mode=Article.Comments.CLOSED)
    [data] = json_ld(client, closed.get_absolute_url())
    assert "discussionUrl" not in data


def test_json_ld_cannot_be_broken_out_of(client, site):
    headline = "</script><script>alert('x')</script> & <!-- more"
    article = make_article(site, headline=headline, dek="A <b>bold</b> & </SCRIPT> dek")
    response = client.get(article.get_absolute_url())
    assert b"<script>alert" not in response.content
    assert response.content.count(b"<script") == 1  # the JSON-LD element only
    [data] = json_ld(client, article.get_absolute_url())
    assert data["headline"] == headline
    assert data["description"] == "A <b>bold</b> & </SCRIPT> dek"


def test_syndicated_and_captured_pieces_are_based_on_their_source(client, site):
    article = make_article(site, source_publisher="The Daily Example", canonical_url="https://daily.example/a/1")
    [data] = json_ld(client, article.get_absolute_url())
    assert data["sourceOrganization"] == {"@type": "Organization", "name": "The Daily Example"}
    assert data["isBasedOn"] == "https://daily.example/a/1"
    assert data["url"] == "https://daily.example/a/1"


# --- Canonical, Open Graph, Twitter ----------------------------------------------------


def meta(doc, attribute, name):
    return doc.xpath(f"//meta[@{attribute}='{name}']/@content")


def test_open_graph_and_twitter_tags(client, rich_article):
    doc = lxml.html.fromstring(client.get(rich_article.get_absolute_url()).content)
    url = f"http://localhost{rich_article.get_absolute_url()}"
    photo = rich_article.placements.get(role="lead").image
    assert doc.xpath("//link[@rel='canonical']/@href") == [url]
    assert meta(doc, "property", "og:type") == ["article"]
    assert meta(doc, "property", "og:title") == ["Harbour reopens"]
    assert meta(doc, "property", "og:description") == ["The wall is rebuilt."]
    assert meta(doc, "property", "og:url") == [url]
    assert meta(doc, "property", "og:site_name") == ["The Harbour Courier"]
    assert meta(doc, "property", "og:image") == [f"http://localhost{photo.file.url}"]
    assert meta(doc, "property", "og:image:alt") == ["Boats at dawn"]
    assert meta(doc, "property", "article:section") == ["Local"]
    assert meta(doc, "property", "article:tag") == ["Harbour"]
    assert meta(doc, "name", "twitter:card") == ["summary_large_image"]
    assert meta(doc, "name", "twitter:title") == ["Harbour reopens"]
    assert meta(doc, "name", "twitter:image") == [f"http://localhost{photo.file.url}"]


def test_article_without_a_photo_file_gets_a_small_card(client, site):
    article = make_article(site, placements=[PlacementSpec(image=factories.ImageFactory(), role="lead")])
    doc = lxml.html.fromstring(client.get(article.get_absolute_url()).content)
    assert meta(doc, "name", "twitter:card") == ["summary"]
    assert meta(doc, "property", "og:image") == []


def test_absolute_urls_use_the_sites_domain_not_the_host_header(client, site):
    """127.0.0.1 is an allowed host without a Site of its own: it shows the default site,
    whose domain (not the Host header) makes every absolute URL."""
    article = make_article(site)
    response = client.get(article.get_absolute_url(), HTTP_HOST="127.0.0.1")
    doc = lxml.html.fromstring(response.content)
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"http://localhost{article.get_absolute_url()}"]
    assert b"127.0.0.1" not in response.content
    assert b"127.0.0.1" not in client.get("/sitemap.xml", HTTP_HOST="127.0.0.1").content


def test_absolute_urls_follow_the_request_scheme(client, site):
    article = make_article(site)
    doc = lxml.html.fromstring(client.get(article.get_absolute_url(), secure=True).content)
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"https://localhost{article.get_absolute_url()}"]


# --- Sitemaps --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sitemap_schema():
    return xmlschema.XMLSchema(str(STANDARDS / "sitemaps.org-sitemap-0.9.xsd"))


@pytest.fixture(scope="module")
def index_schema():
    return xmlschema.XMLSchema(str(STANDARDS / "sitemaps.org-siteindex-0.9.xsd"))


@pytest.fixture
def news_schema(tmp_path):
    (tmp_path / "news.xsd").write_text(NEWS_XSD, encoding="utf-8")
    return xmlschema.XMLSchema([str(STANDARDS / "sitemaps.org-sitemap-0.9.xsd"), str(tmp_path / "news.xsd")])


def locations(content: bytes) -> list[str]:
    return [loc.text for loc in etree.fromstring(content).iter(f"{SITEMAP_NS}loc")]


@pytest.fixture
def archive(site):
    now = timezone.now()
    section = factories.SectionFactory(name="Local", slug="local")
    author = factories.AuthorFactory(slug="ann-ames")
    tag = factories.TagFactory(slug="harbour")
    public = make_article(site, headline="Public", section=section, tags=[tag], bylines=[BylineSpec(author=author)])
    make_article(site, headline="Old", published_at=now - timedelta(days=5))
    make_article(site, headline="Scheduled", published_at=now + timedelta(days=1))
    make_article(site, headline="Draft", publish=False)
    services.article_withdraw(article=make_article(site, headline="Withdrawn"), reason="")
    make_article(site, headline="Captured", canonical_url="https://daily.example/a/1")
    other = Site.objects.create(domain="other.example", name="Other")
    make_article(other, headline="Syndicated here", sites=[site])
    return public


def test_sitemap_index_is_valid_and_lists_every_section(client, archive, index_schema):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    index_schema.validate(response.content.decode())
    assert locations(response.content) == [
        f"http://localhost/sitemap-{name}.xml" for name in ("pages", "articles", "sections", "tags", "authors")
    ]


@pytest.mark.parametrize("section", ["pages", "articles", "sections", "tags", "authors"])
def test_sitemap_sections_are_valid(client, archive, sitemap_schema, section):
    response = client.get(f"/sitemap-{section}.xml")
    assert response.status_code == 200
    sitemap_schema.validate(response.content.decode())
    assert all(loc.startswith("http://localhost/") for loc in locations(response.content))


def test_article_sitemap_lists_only_the_sites_own_canonical_public_articles(client, archive):
    found = locations(client.get("/sitemap-articles.xml").content)
    headlines = {f"http://localhost{a.get_absolute_url()}": a.headline for a in Article.objects.all() if a.pub_date}
    assert sorted(headlines[loc] for loc in found) == ["Old", "Public"]


def test_subject_sitemaps_list_pages_with_articles(client, archive):
    assert locations(client.get("/sitemap-sections.xml").content) == ["http://localhost/sections/local/"]
    assert locations(client.get("/sitemap-tags.xml").content) == ["http://localhost/tags/harbour/"]
    assert "http://localhost/authors/ann-ames/" in locations(client.get("/sitemap-authors.xml").content)


def test_unknown_sitemap_section_answers_404(client, site):
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-articles.xml?p=9").status_code == 404


def test_news_sitemap_is_valid_and_recent(client, archive, news_schema, sitemap_schema):
    response = client.get("/sitemap-news.xml")
    assert response.status_code == 200
    content = response.content.decode()
    news_schema.validate(content)
    assert not sitemap_schema.is_valid(content)  # the news elements do need their schema
    root = etree.fromstring(response.content)
    [url] = root.findall(f"{SITEMAP_NS}url")  # "Old" is five days old: only "Public"
    assert url.findtext(f"{SITEMAP_NS}loc") == f"http://localhost{archive.get_absolute_url()}"
    news = url.find(f"{NEWS_NS}news")
    assert news.findtext(f"{NEWS_NS}publication/{NEWS_NS}name") == "Newsroom"
    assert news.findtext(f"{NEWS_NS}publication/{NEWS_NS}language") == "en"
    assert news.findtext(f"{NEWS_NS}title") == "Public"
    assert news.findtext(f"{NEWS_NS}publication_date").startswith(f"{archive.published_at:%Y-%m-%d}")


def test_news_sitemap_language_codes(client, site, news_schema):
    make_article(site, headline="Em português", language="pt-PT")
    make_article(site, headline="中文", language="zh-TW")
    response = client.get("/sitemap-news.xml")
    news_schema.validate(response.content.decode())
    languages = [e.text for e in etree.fromstring(response.content).iter(f"{NEWS_NS}language")]
    assert sorted(languages) == ["pt", "zh-tw"]


def test_news_sitemap_holds_at_most_the_limit(client, site, settings):
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "NEWS_SITEMAP_MAX_URLS": 2}
    for n in range(3):
        make_article(site, headline=f"Story {n}", published_at=timezone.now() - timedelta(hours=n + 1))
    root = etree.fromstring(client.get("/sitemap-news.xml").content)
    assert [e.text for e in root.iter(f"{NEWS_NS}title")] == ["Story 0", "Story 1"]


def test_sitemaps_answer_conditional_requests(client, archive):
    for url in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml"):
        response = client.get(url)
        assert response["Last-Modified"] and response["ETag"], url
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304, url
