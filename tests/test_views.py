"""Public HTML pages: routes and status codes for every visibility state, the article page
(bylines, dateline, dates, figures, corrections, source, commenting area), staff preview,
lists (front page, date archives, authors, tags, sections, search) and query pins."""

import zoneinfo
from datetime import datetime, timedelta

import lxml.html
import pytest
from django.contrib.auth.models import Permission
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.utils import timezone

from articles import services
from articles.models import Article, SiteSettings
from articles.services import BylineSpec, PlacementSpec
from tests import factories

NOTICE = "We are temporarily suspending article commenting."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the page cache (local memory) outlives the test database
    yield
    cache.clear()


def make_article(site, *, bylines=None, placements=(), published_at=None, publish=True, **fields):
    """An article written through the services, published unless told otherwise."""
    if bylines is None:
        bylines = [BylineSpec(author=factories.AuthorFactory(name="Ada Reporter"))]
    fields.setdefault("headline", "Harbour city votes for trams")
    fields.setdefault("slug", f"harbour-city-votes-{Article.objects.count() + 1}")
    fields.setdefault("body", "<p>The council voted on Tuesday to rebuild the tram line.</p><p>Second.</p>")
    fields.setdefault("dateline_place", "Lisbon")
    article = services.article_create(site=site, bylines=bylines, placements=placements, **fields)
    if publish:
        article = services.article_publish(
            article=article, published_at=published_at or timezone.now() - timedelta(hours=1)
        )
    return article


def html(response):
    return lxml.html.fromstring(response.content)


def by_class(doc, name, tag="*"):
    return doc.xpath(f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def text(element) -> str:
    return " ".join(element.text_content().split())


def configure(site, **fields):
    SiteSettings.objects.filter(site=site).update(**fields)


# --- Visibility: status codes ----------------------------------------------------------


def test_published_article_answers_200(client, site):
    article = make_article(site)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert text(html(response).xpath("//h1")[0]) == "Harbour city votes for trams"


def test_draft_answers_404_everywhere(client, site):
    article = make_article(site, publish=False)
    assert article.pub_date is None
    assert client.get(f"/a/{article.pk}/").status_code == 404
    today = timezone.localdate()
    assert client.get(f"/{today:%Y/%m/%d}/{article.slug}/").status_code == 404


def test_scheduled_article_answers_404_until_due(client, site):
    article = make_article(site, published_at=timezone.now() + timedelta(days=1))
    assert article.status == Article.Status.SCHEDULED
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(f"/a/{article.pk}/").status_code == 404


def test_embargoed_article_answers_404(client, site):
    article = make_article(site, embargo_until=timezone.now() + timedelta(hours=3))
    assert article.status == Article.Status.PUBLISHED
    assert client.get(article.get_absolute_url()).status_code == 404


def test_withdrawn_article_answers_410_with_its_reason(client, site):
    article = make_article(site)
    services.article_withdraw(article=article, reason="Withdrawn on legal advice.")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    doc = html(response)
    assert text(doc.xpath("//h1")[0]) == "This article has been withdrawn"
    assert text(by_class(doc, "withdrawn-reason")[0]) == "Withdrawn on legal advice."
    assert b"Harbour city votes" not in response.content  # the headline may be the problem
    assert response["Cache-Control"].startswith("public")


def test_old_slug_redirects_permanently(client, site):
    article = make_article(site, slug="old-slug")
    old_url = article.get_absolute_url()
    services.article_update(article=article, slug="new-slug")
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert article.get_absolute_url().endswith("/new-slug/")
    assert client.get(response["Location"]).status_code == 200


def test_old_date_redirects_permanently(client, site):
    article = make_article(site, published_at=timezone.now() - timedelta(days=3))
    old_url = article.get_absolute_url()
    services.article_update(article=article, published_at=timezone.now() - timedelta(days=5))
    assert article.get_absolute_url() != old_url
    response = client.get(old_url)
    assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())


def test_short_permalink_redirects_permanently(client, site):
    article = make_article(site)
    response = client.get(f"/a/{article.pk}/")
    assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())


def test_short_permalink_of_withdrawn_article_leads_to_410(client, site):
    article = make_article(site)
    services.article_withdraw(article=article, reason="Legal.")
    response = client.get(f"/a/{article.pk}/", follow=True)
    assert response.redirect_chain == [(article.get_absolute_url(), 301)]
    assert response.status_code == 410


def test_unknown_addresses_answer_404(client, site):
    article = make_article(site)
    assert client.get(f"/a/{article.pk + 1000}/").status_code == 404
    assert client.get("/2025/02/30/anything/").status_code == 404  # no such date
    assert client.get(article.get_absolute_url().replace(article.slug, "other")).status_code == 404


def test_article_of_another_site_is_not_shown_unless_syndicated(client, site):
    other = Site.objects.create(domain="other.example", name="Other")
    article = make_article(other)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(f"/a/{article.pk}/").status_code == 404
    services.article_update(article=article, sites=[site])
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    # The syndicated copy names the owner's page as canonical.
    canonical = html(response).xpath("//link[@rel='canonical']/@href")
    assert canonical == [f"http://other.example{article.get_absolute_url()}"]


def test_unknown_host_answers_400(client, site):
    make_article(site)
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_not_found_page_is_the_sites_page(client, site):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    doc = html(response)
    assert text(doc.xpath("//h1")[0]) == "Page not found"
    assert text(by_class(doc, "site-name")[0]) == "Newsroom"


def test_head_requests_are_answered(client, site):
    article = make_article(site)
    response = client.head(article.get_absolute_url())
    assert response.status_code == 200
    assert response["ETag"]


def test_pages_refuse_writes(client, site):
    article = make_article(site)
    assert client.post(article.get_absolute_url()).status_code == 405
    assert client.post("/").status_code == 405


# --- Bylines ---------------------------------------------------------------------------


def byline_sentences(client, article) -> list[str]:
    return [text(p) for p in by_class(html(client.get(article.get_absolute_url())), "byline", "p")]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Ada Lovelace"], "By Ada Lovelace"),
        (["Ada Lovelace", "Grace Hopper"], "By Ada Lovelace and Grace Hopper"),
        (["Ada Lovelace", "Grace Hopper", "Katherine Johnson"], "By Ada Lovelace, Grace Hopper and Katherine Johnson"),
    ],
)
def test_byline_sentence_for_one_two_and_three_authors(client, site, names, expected):
    bylines = [BylineSpec(author=factories.AuthorFactory(name=name)) for name in names]
    assert byline_sentences(client, make_article(site, bylines=bylines)) == [expected]


def test_wire_byline_prints_its_free_text(client, site):
    agency = factories.AuthorFactory(name="Reuters", kind="organization")
    bylines = [BylineSpec(author=agency, role="reporter", credit_text="Reuters staff")]
    assert byline_sentences(client, make_article(site, bylines=bylines)) == ["By Reuters staff"]


def test_free_text_byline_without_an_author(client, site):
    bylines = [BylineSpec(credit_text="Staff and agencies")]
    assert byline_sentences(client, make_article(site, bylines=bylines)) == ["By Staff and agencies"]


def test_byline_roles_make_their_own_sentences(client, site):
    a, b, c, d = (factories.AuthorFactory(name=n) for n in ("Ann Ames", "Bo Berg", "Cy Cole", "Di Dorn"))
    bylines = [
        BylineSpec(author=a, role="reporter"),
        BylineSpec(author=d, role="photographer"),
        BylineSpec(author=b, role="contributor"),
        BylineSpec(author=c, role="additional_reporting"),
    ]
    assert byline_sentences(client, make_article(site, bylines=bylines)) == [
        "By Ann Ames and Bo Berg, with additional reporting by Cy Cole",
        "Photographs by Di Dorn",
    ]


def test_byline_names_link_to_author_pages(client, site):
    author = factories.AuthorFactory(name="Ann Ames", slug="ann-ames")
    doc = html(client.get(make_article(site, bylines=[BylineSpec(author=author)]).get_absolute_url()))
    assert by_class(doc, "byline", "p")[0].xpath(".//a/@href") == ["/authors/ann-ames/"]


# --- The article page ------------------------------------------------------------------


def test_dateline_leads_the_first_paragraph(client, site):
    article = make_article(site, dateline_place="London", dateline_source="Reuters")
    doc = html(client.get(article.get_absolute_url()))
    first = by_class(doc, "article-body")[0].xpath(".//p")[0]
    assert text(first) == "LONDON (Reuters) — The council voted on Tuesday to rebuild the tram line."
    assert text(by_class(first, "dateline")[0]) == "LONDON (Reuters) —"


def test_dateline_is_escaped(client, site):
    article = make_article(site, dateline_place="<b>Oslo</b>")
    response = client.get(article.get_absolute_url())
    assert b"<B>OSLO</B>" not in response.content
    assert "&lt;B&gt;OSLO&lt;/B&gt; —" in response.content.decode()


def test_dates_are_shown_in_the_site_time_zone(client, site):
    configure(site, time_zone="America/Toronto")
    published = datetime(2025, 1, 15, 3, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    article = make_article(site, published_at=published)
    assert article.get_absolute_url().startswith("/2025/01/14/")  # 22:30 the day before in Toronto
    doc = html(client.get(article.get_absolute_url()))
    time = by_class(doc, "published")[0].xpath(".//time")[0]
    assert time.get("datetime") == "2025-01-14T22:30:00-05:00"
    assert text(time) == "14 January 2025, 22:30 EST"


def test_updated_time_is_shown_after_a_substantive_edit(client, site):
    article = make_article(site)
    assert not by_class(html(client.get(article.get_absolute_url())), "updated")
    services.article_update(article=article, dek="A new standfirst.")
    assert text(by_class(html(client.get(article.get_absolute_url())), "updated")[0]).startswith("Updated ")


def test_read_time_is_shown(client, site):
    body = "<p>" + " ".join(["word"] * 500) + "</p>"
    article = make_article(site, body=body)
    assert text(by_class(html(client.get(article.get_absolute_url())), "read-time")[0]) == "3 min read"


@pytest.fixture
def photographed(site):
    """An article with a lead photo, an inline photo placed by the body, one the body does
    not place, and one whose file is missing."""
    lead = factories.image_with_file(
        caption="Lead caption.", creator="Ann Ames", agency="AFP", distributor="Getty Images", alt_text="Lead alt"
    )
    placed = factories.image_with_file(
        upload={"color": (1, 2, 3)}, caption="Placed caption.", credit_text="Courtesy of the council", alt_text="P"
    )
    trailing = factories.image_with_file(
        upload={"color": (9, 9, 9)}, caption="Trailing.", agency="Reuters", alt_text="T"
    )
    missing = factories.ImageFactory(caption="Not archived.", creator="Cy Cole", agency="", distributor="")
    body = '<p>First.</p><figure data-placement="1"></figure><p>Second.</p><figure data-placement="9"></figure>'
    return make_article(
        site,
        body=body,
        placements=[
            PlacementSpec(image=lead, role="lead"),
            PlacementSpec(image=placed, caption="Caption for this use."),
            PlacementSpec(image=trailing),
            PlacementSpec(image=missing),
        ],
    )


def figures(client, article):
    doc = html(client.get(article.get_absolute_url()))
    return doc, doc.xpath("//figure")


def test_every_figure_has_its_caption_and_credit(client, photographed):
    _doc, found = figures(client, photographed)
    captions = [(text(by_class(f, "caption")[0]), text(by_class(f, "credit")[0])) for f in found]
    assert captions == [
        ("Lead caption.", "Ann Ames/AFP via Getty Images"),
        ("Caption for this use.", "Courtesy of the council"),
        ("Trailing.", "Reuters"),
        ("Not archived.", "Cy Cole"),
    ]
    for figure in found:
        assert len(figure.xpath("./figcaption")) == 1


def test_inline_photos_go_where_the_body_places_them(client, photographed):
    doc, _found = figures(client, photographed)
    body = by_class(doc, "article-body")[0]
    order = [child.tag + ":" + text(child)[:14] for child in body]
    assert order == [
        "p:LISBON — First",
        "figure:Caption for th",
        "p:Second.",
        "figure:Trailing. Reut",
        "figure:Not archived. ",
    ]
    assert by_class(doc, "figure-lead", "figure")[0].getparent().tag == "article"


def test_missing_file_figure_has_no_image(client, photographed):
    _doc, found = figures(client, photographed)
    missing = found[-1]
    assert missing.xpath(".//img") == []
    assert "figure-missing" in missing.get("class")
    assert all(f.xpath(".//img") for f in found[:-1])


def test_images_have_alt_dimensions_and_loading(client, photographed):
    _doc, found = figures(client, photographed)
    lead = found[0].xpath(".//img")[0]
    assert (lead.get("alt"), lead.get("width"), lead.get("height"), lead.get("loading")) == (
        "Lead alt",
        "64",
        "48",
        "eager",
    )
    inline = found[1].xpath(".//img")[0]
    assert (inline.get("alt"), inline.get("loading")) == ("P", "lazy")


def test_corrections_are_listed(client, site):
    article = make_article(site)
    services.correction_add(article=article, text="An earlier version misspelt the mayor's name.")
    services.correction_add(article=article, text="The vote was on Tuesday.", kind="clarification")
    doc = html(client.get(article.get_absolute_url()))
    items = [text(li) for li in by_class(doc, "corrections", "section")[0].xpath(".//li")]
    assert len(items) == 2
    assert items[0].startswith("Correction, ") and items[0].endswith(": An earlier version misspelt the mayor's name.")
    assert items[1].startswith("Clarification, ") and items[1].endswith(": The vote was on Tuesday.")


def test_no_corrections_section_without_corrections(client, site):
    doc = html(client.get(make_article(site).get_absolute_url()))
    assert by_class(doc, "corrections") == []


def test_syndication_source_is_credited_with_a_link(client, site):
    article = make_article(site, source_publisher="The Daily Example", canonical_url="https://daily.example/a/1")
    doc = html(client.get(article.get_absolute_url()))
    source = by_class(doc, "source", "p")[0]
    assert text(source) == "Originally published by The Daily Example."
    assert source.xpath(".//a/@href") == ["https://daily.example/a/1"]
    assert doc.xpath("//link[@rel='canonical']/@href") == ["https://daily.example/a/1"]


def test_source_without_link(client, site):
    article = make_article(site, source_publisher="The Daily Example")
    source = by_class(html(client.get(article.get_absolute_url())), "source", "p")[0]
    assert (text(source), source.xpath(".//a")) == ("Originally published by The Daily Example.", [])


def test_body_html_is_sanitised_when_rendered(client, site):
    article = make_article(site)
    Article.objects.filter(pk=article.pk).update(body="<p>Fine.</p><script>alert(1)</script>")  # a raw write
    response = client.get(article.get_absolute_url())
    assert b"<script>alert(1)</script>" not in response.content


def test_page_is_accessible_html(client, site):
    article = make_article(site, language="pt-PT")
    doc = html(client.get(article.get_absolute_url()))
    assert doc.get("lang") == "pt-PT"
    for landmark in ("header", "nav", "main", "footer"):
        assert doc.xpath(f"//{landmark}"), landmark
    headings = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(later - earlier <= 1 for earlier, later in zip(headings, headings[1:], strict=False))
    assert all(img.get("alt") is not None for img in doc.xpath("//img"))
    assert doc.xpath("//link[@rel='stylesheet']/@href") == ["/static/articles/site.css"]
    assert doc.xpath("//script[not(@type='application/ld+json')]") == []  # no JavaScript needed


# --- The commenting area ---------------------------------------------------------------


def comments_area(client, article):
    doc = html(client.get(article.get_absolute_url()))
    sections = doc.xpath("//section[@id='comments']")
    if not sections:
        return None
    notice = by_class(sections[0], "comments-notice")
    return text(notice[0]) if notice else ""


def test_comments_open(client, site):
    assert comments_area(client, make_article(site)) == ""  # the section, no notice


def test_comments_switched_off_by_the_site_show_its_notice(client, site):
    configure(site, comments_enabled=False, comments_notice=NOTICE)
    assert comments_area(client, make_article(site)) == NOTICE


def test_comments_suspended_until_a_future_moment_show_the_notice(client, site):
    configure(site, comments_suspended_until=timezone.now() + timedelta(hours=2), comments_notice=NOTICE)
    assert comments_area(client, make_article(site)) == NOTICE


def test_comments_suspension_in_the_past_is_over(client, site):
    configure(site, comments_suspended_until=timezone.now() - timedelta(hours=2), comments_notice=NOTICE)
    assert comments_area(client, make_article(site)) == ""


def test_comments_closed_on_the_article(client, site):
    article = make_article(site, comments_mode=Article.Comments.CLOSED)
    assert comments_area(client, article) == "Comments are closed on this article."


def test_comments_hidden_on_the_article_show_nothing(client, site):
    configure(site, comments_enabled=False, comments_notice=NOTICE)
    article = make_article(site, comments_mode=Article.Comments.HIDDEN)
    response = client.get(article.get_absolute_url())
    assert comments_area(client, article) is None
    assert NOTICE.encode() not in response.content


def test_syndicated_article_follows_the_reading_sites_policy(client, site, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example"]
    other = Site.objects.create(domain="other.example", name="Other")
    SiteSettings.objects.create(site=other, comments_enabled=False, comments_notice="Off over there.")
    article = make_article(site, sites=[other])
    assert comments_area(client, article) == ""
    response = client.get(article.get_absolute_url(), HTTP_HOST="other.example")
    notice = by_class(html(response), "comments-notice")
    assert text(notice[0]) == "Off over there."


# --- Staff preview ---------------------------------------------------------------------


def test_preview_needs_a_login(client, site):
    article = make_article(site, publish=False)
    response = client.get(f"/preview/{article.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/preview/")


def test_preview_needs_the_change_permission(client, site):
    article = make_article(site, publish=False)
    client.force_login(factories.UserFactory(is_staff=True))
    assert client.get(f"/preview/{article.pk}/").status_code == 403


@pytest.mark.parametrize("state", ["draft", "scheduled", "embargoed", "withdrawn", "published"])
def test_preview_shows_any_state_and_is_never_cached(client, site, state):
    article = make_article(
        site,
        publish=state != "draft",
        published_at=timezone.now() + timedelta(days=1) if state == "scheduled" else None,
        embargo_until=timezone.now() + timedelta(days=1) if state == "embargoed" else None,
    )
    if state == "withdrawn":
        services.article_withdraw(article=article, reason="Legal.")
    user = factories.UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(user)
    response = client.get(f"/preview/{article.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response
    doc = html(response)
    assert text(doc.xpath("//h1")[0]) == "Harbour city votes for trams"
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex, nofollow"]
    assert by_class(doc, "preview-banner")


def test_editors_can_preview(client, site, editor):
    article = make_article(site, publish=False)
    client.force_login(editor)
    assert client.get(f"/preview/{article.pk}/").status_code == 200


# --- Lists -----------------------------------------------------------------------------


def headlines(response) -> list[str]:
    return [text(a) for a in html(response).xpath("//ol[@class='teasers']//h2/a")]


def test_front_page_lists_the_sites_published_articles_newest_first(client, site):
    now = timezone.now()
    make_article(site, headline="Older", published_at=now - timedelta(days=2))
    make_article(site, headline="Newer", published_at=now - timedelta(days=1))
    make_article(site, headline="Scheduled", published_at=now + timedelta(days=1))
    make_article(site, headline="Draft", publish=False)
    withdrawn = make_article(site, headline="Withdrawn")
    services.article_withdraw(article=withdrawn, reason="")
    make_article(Site.objects.create(domain="other.example", name="Other"), headline="Elsewhere")
    response = client.get("/")
    assert response.status_code == 200
    assert headlines(response) == ["Newer", "Older"]


def test_lists_are_paginated(client, site, settings):
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGINATE_BY": 2}
    now = timezone.now()
    for n in range(5):
        make_article(site, headline=f"Story {n}", published_at=now - timedelta(hours=n + 1))
    assert headlines(client.get("/")) == ["Story 0", "Story 1"]
    page2 = client.get("/?page=2")
    assert headlines(page2) == ["Story 2", "Story 3"]
    doc = html(page2)
    assert doc.xpath("//a[@rel='next']/@href") == ["?page=3"]
    assert doc.xpath("//link[@rel='canonical']/@href") == ["http://localhost/?page=2"]
    assert client.get("/?page=9").status_code == 404
    assert client.get("/?page=abc").status_code == 404


def test_front_page_lists_the_newest_pages_only(client, site, settings):
    # The front page counts at most FRONT_PAGES pages (a bounded count); older articles
    # are in the date archives, which still list every page.
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGINATE_BY": 2, "FRONT_PAGES": 2}
    now = timezone.now()
    for n in range(5):
        make_article(site, headline=f"Story {n}", published_at=now - timedelta(hours=n + 1))
    page2 = client.get("/?page=2")
    assert headlines(page2) == ["Story 2", "Story 3"]
    assert "Page 2 of 2" in page2.content.decode()
    assert html(page2).xpath("//a[@rel='next']/@href") == []
    assert client.get("/?page=3").status_code == 404


def test_date_archives_match_the_dates_in_urls(client, site):
    """An article published at 23:30 UTC on 31 December is on 1 January in Tokyo: its URL
    and the archives agree on the site's calendar."""
    configure(site, time_zone="Asia/Tokyo")
    published = datetime(2024, 12, 31, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    article = make_article(site, headline="New year story", published_at=published)
    make_article(site, headline="December story", published_at=published - timedelta(days=5))
    assert article.get_absolute_url().startswith("/2025/01/01/")
    assert headlines(client.get("/archive/2025/")) == ["New year story"]
    assert headlines(client.get("/archive/2025/01/")) == ["New year story"]
    assert headlines(client.get("/archive/2025/01/01/")) == ["New year story"]
    assert headlines(client.get("/archive/2024/12/31/")) == []
    assert headlines(client.get("/archive/2024/")) == ["December story"]


def test_year_archive_lists_its_months_with_counts(client, site):
    utc = zoneinfo.ZoneInfo("UTC")
    for day in (3, 9):
        make_article(site, published_at=datetime(2024, 3, day, 12, tzinfo=utc))
    make_article(site, published_at=datetime(2024, 7, 1, 12, tzinfo=utc))
    doc = html(client.get("/archive/2024/"))
    months = [text(li) for li in by_class(doc, "archive-periods", "nav")[0].xpath(".//li")]
    assert months == ["March (2)", "July (1)"]
    assert by_class(doc, "archive-periods", "nav")[0].xpath(".//a/@href") == ["/archive/2024/03/", "/archive/2024/07/"]


def test_date_archives_answer_404_for_impossible_dates(client, site):
    for url in ("/archive/2024/13/", "/archive/2023/02/29/", "/archive/0000/"):
        assert client.get(url).status_code == 404, url


def test_empty_archive_period_is_an_empty_page(client, site):
    response = client.get("/archive/1999/")
    assert response.status_code == 200
    assert headlines(response) == []


def test_author_tag_and_section_pages(client, site):
    author = factories.AuthorFactory(name="Ann Ames", slug="ann-ames", bio="Covers the harbour.")
    section = factories.SectionFactory(name="Local", slug="local")
    tag = factories.TagFactory(name="Harbour", slug="harbour")
    make_article(site, headline="Hers", bylines=[BylineSpec(author=author)], section=section, tags=[tag])
    make_article(site, headline="Someone else's")
    for url, heading in (
        ("/authors/ann-ames/", "Ann Ames"),
        ("/tags/harbour/", "Harbour"),
        ("/sections/local/", "Local"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert text(html(response).xpath("//h1")[0]) == heading
        assert headlines(response) == ["Hers"], url


def test_author_with_no_article_on_this_site_has_an_empty_page(client, site):
    factories.AuthorFactory(name="Quiet Writer", slug="quiet-writer")
    response = client.get("/authors/quiet-writer/")
    assert response.status_code == 200
    assert text(html(response).xpath("//h1")[0]) == "Quiet Writer"


def test_unknown_author_tag_or_section_answers_404(client, site):
    for url in ("/authors/nobody/", "/tags/nothing/", "/sections/none/"):
        assert client.get(url).status_code == 404, url


def test_author_credited_twice_is_listed_once(client, site):
    author = factories.AuthorFactory(slug="twice")
    make_article(site, bylines=[BylineSpec(author=author), BylineSpec(author=author, role="photographer")])
    assert len(headlines(client.get("/authors/twice/"))) == 1


def test_search_finds_published_articles_of_the_site(client, site):
    make_article(site, headline="Trams return to the harbour")
    make_article(site, headline="Trams scheduled", published_at=timezone.now() + timedelta(days=1))
    make_article(site, headline="Ferries", body="<p>The ferry timetable changes in May.</p>")
    response = client.get("/search/?q=trams")
    assert response.status_code == 200
    assert headlines(response) == ["Trams return to the harbour"]
    assert html(response).xpath("//meta[@name='robots']/@content") == ["noindex, follow"]


def test_search_without_a_query_shows_the_form_only(client, site):
    make_article(site)
    response = client.get("/search/?q=")
    assert response.status_code == 200
    assert headlines(response) == []
    assert html(response).xpath("//form[@role='search']//input[@name='q']")


@pytest.mark.parametrize("query", ["x" * 5000, "<script>", "' OR 1=1 --", "%00", '"unbalanced'])
def test_search_survives_bad_input(client, site, query):
    make_article(site)
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert b"<script>" not in response.content.split(b"<main")[1]


def test_robots_txt_names_both_sitemaps(client, site):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert "Sitemap: http://localhost/sitemap-news.xml" in lines
    assert "Disallow: /preview/" in lines


def test_robots_txt_uses_the_scheme_of_the_request(client, site):
    response = client.get("/robots.txt", secure=True)
    assert "Sitemap: https://localhost/sitemap.xml" in response.content.decode().splitlines()


# --- Query pins ------------------------------------------------------------------------


def warm_up(client):
    """Resolve the request's site once: the sites framework caches it per process."""
    client.get("/robots.txt")


@pytest.mark.parametrize("size", [1, 3])
def test_article_page_runs_six_queries_whatever_its_size(client, site, size, django_assert_num_queries):
    from comments.models import Comment

    authors = [factories.AuthorFactory() for _ in range(size)]
    images = [factories.ImageFactory() for _ in range(size)]
    article = make_article(
        site,
        bylines=[BylineSpec(author=a) for a in authors],
        placements=[PlacementSpec(image=i, role="lead" if n == 0 else "inline") for n, i in enumerate(images)],
        tags=[factories.TagFactory() for _ in range(size)],
    )
    for n in range(size):
        services.correction_add(article=article, text=f"Correction {n}.")
    Comment.objects.bulk_create(
        Comment(article=article, site=site, display_name=f"Reader {n}", body=f"Comment {n}",
                body_html=f"<p>Comment {n}</p>", body_hash=str(n), client_hash="c", status="approved")
        for n in range(size * 250)  # 250 or 750 approved comments cost the same
    )  # fmt: skip
    warm_up(client)
    # 1 the article with its site, site settings (the request's site's here), section and
    #   approved-comment count (joined)
    # 2 its bylines with authors · 3 its photo placements with images · 4 its tags
    # 5 its corrections (2-5 on a fragment-cache miss only: tests/test_query_counts.py)
    # 6 the first page of approved comments (none when the count is 0)
    with django_assert_num_queries(6):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert f"{size * 250} comments" in response.content.decode()


LIST_URLS = [
    "/",
    "/?page=2",
    "/archive/{y}/",
    "/archive/{y}/{m}/",
    "/archive/{y}/{m}/{d}/",
    "/authors/pinned/",
    "/tags/pinned/",
    "/sections/pinned/",
    "/search/?q=harbour",
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_pages_run_six_queries(client, site, settings, url, django_assert_num_queries):
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGINATE_BY": 3}
    author = factories.AuthorFactory(slug="pinned")
    tag = factories.TagFactory(slug="pinned")
    section = factories.SectionFactory(slug="pinned", name="Pinned")
    when = timezone.now() - timedelta(hours=2)
    for _ in range(6):
        make_article(
            site,
            headline="Harbour news",
            bylines=[BylineSpec(author=author), BylineSpec(author=factories.AuthorFactory())],
            placements=[PlacementSpec(image=factories.ImageFactory(), role="lead")],
            tags=[tag, factories.TagFactory()],
            section=section,
            published_at=when,
        )
    local = timezone.localtime(when, zoneinfo.ZoneInfo("UTC"))
    url = url.format(y=f"{local:%Y}", m=f"{local:%m}", d=f"{local:%d}")
    warm_up(client)
    # 1 the site's settings with its articles' last change and next release (subqueries)
    # 2 the count for the paginator (on year and month pages: the per-period counts)
    # 3 the page of articles with site, settings and section joined
    # 4 their bylines with authors · 5 their photo placements with images · 6 their tags
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert len(headlines(response)) == 3
