"""Importers: the shared samples (text capture, saved HTML page, web archive), the parsers'
rules, identity on re-import, and that an import never leaves half an article."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.sites.models import Site

from articles.html import count_words, read_time_minutes
from articles.importers import Restorer, run_item
from articles.importers.base import content_key, read_dateline, url_key
from articles.importers.html_page import parse_html_page
from articles.importers.sources import iter_items
from articles.importers.text_capture import parse_text_capture
from articles.importers.writer import import_article
from articles.models import Article, ArticleImage, Author, Byline, Correction, Image, Revision

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
CAPTURE = SAMPLES / "capture-tram-line.txt"
PAGE = SAMPLES / "page-river-ferry.html"
CRAWL = SAMPLES / "crawl-courier.warc.gz"
FERRY_URL = "https://courier.example.org/2025/03/14/night-ferry-returns-to-the-estuary/"

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside the project")


def import_paths(*paths, site=None, publish=False):
    restorer = Restorer(site=site)
    return [run_item(item, site=site, publish=publish, restorer=restorer) for item in iter_items(paths)]


def paragraphs(body: str) -> list[str]:
    return re.findall(r"<p>(.*?)</p>", body, flags=re.S)


def placements(article):
    return list(article.placements.select_related("image").order_by("position"))


# --- The text capture sample -----------------------------------------------------------


def test_sample_capture_imports_headline_dateline_body_and_photos(site):
    [result] = import_paths(CAPTURE)

    assert result.status == "created"
    article = Article.objects.get()
    assert article.headline == "Harbour city votes to bring back its tram line after 40 years"
    assert article.dateline_place == "LISBON"
    assert article.dateline == "LISBON —"
    texts = paragraphs(article.body)
    assert len(texts) == 6
    assert texts[0].startswith("The city council voted on Thursday")  # the dateline is a field, not body
    assert texts[-1] == "The mayor said a public consultation on the design of the stations would open in January."
    # Read time is the archive's own: words / 238, rounded up, minimum 1.
    assert article.word_count == count_words(article.body)
    assert article.read_time_minutes == read_time_minutes(article.word_count) == 1
    assert article.status == Article.Status.DRAFT
    assert article.source_key == content_key(CAPTURE.read_text(encoding="utf-8"))


def test_sample_capture_photos_keep_alt_text_captions_and_parsed_credit_chains(site):
    import_paths(CAPTURE)
    article = Article.objects.get()

    first, second = placements(article)
    assert (first.role, first.position, second.role, second.position) == ("inline", 0, "inline", 1)
    assert first.image.alt_text == "A restored 1930s tram car on display outside the transport museum."
    assert first.image.caption == "A restored tram car from the 1930s outside the city's transport museum on Wednesday."
    assert (first.image.creator, first.image.agency, first.image.distributor) == ("Marta Lopes", "Reuters", "")
    assert first.effective_credit == "Marta Lopes/Reuters"
    assert second.image.alt_text == "Residents walk along the riverside avenue where the tram tracks will be laid."
    assert second.image.caption == "Residents walk along the riverside avenue where the new tracks will run."
    assert (second.image.creator, second.image.agency, second.image.distributor) == (
        "Daniel Costa",
        "AFP",
        "Getty Images",
    )
    assert not first.image.file and not second.image.file  # the pictures were not archived
    # Each photo stands where it was in the text: after paragraphs 3 and 5.
    body = article.body
    assert body.index('data-placement="0"') < body.index("Opponents said")
    assert body.index("Construction crews") < body.index('data-placement="1"') < body.index("The mayor said")


def test_sample_capture_leaves_site_chrome_and_the_source_read_time_out_of_the_body(site):
    import_paths(CAPTURE)
    article = Article.objects.get()

    assert "commenting" not in article.body
    assert "community guidelines" not in article.body
    assert "min read" not in article.body
    assert "Marta Lopes" not in article.body  # credits are image fields, not body text
    revision = article.revisions.get()
    assert "the source said 1 min read" in revision.message


def test_capture_parser_reads_a_lead_photo_a_wire_dateline_and_interrupting_adverts():
    text = (
        "Storm closes port\n\n"
        "Waves break over the harbour wall.\n"
        "Waves over the wall on Monday. (Jane Doe/AP)\n\n"
        "PORTO (Reuters) — The port closed on Monday.\n\n"
        "Advertisement\n\n"
        "It reopens on Friday.\n\n"
        "Sign up for our newsletter\n"
    )
    item = parse_text_capture(text)

    assert (item.dateline_place, item.dateline_source) == ("PORTO", "Reuters")
    assert [image.role for image in item.images] == ["lead"]
    assert item.images[0].credit_fields()["creator"] == "Jane Doe"
    assert paragraphs(item.body) == ["The port closed on Monday.", "It reopens on Friday."]
    assert "data-placement" not in item.body  # a lead photo is not placed in the body


def test_capture_parser_keeps_a_paragraph_that_merely_ends_in_parentheses():
    item = parse_text_capture("Headline\n\nThe minister spoke (briefly).\nThen she left (at noon).\n")
    assert item.images == []
    assert paragraphs(item.body) == ["The minister spoke (briefly). Then she left (at noon)."]


@pytest.mark.parametrize(
    ("text", "place", "source"),
    [
        ("LISBON — The council", "LISBON", ""),
        ("NEW YORK, NY – Shares", "NEW YORK", ""),
        ("SÃO PAULO (AFP) -- Rain", "SÃO PAULO", "AFP"),
        ("The Mayor — who spoke", None, None),
        ("lisbon — lower case", None, None),
    ],
)
def test_dateline_reader(text, place, source):
    found = read_dateline(text)
    assert (found.place if found else None, found.source if found else None) == (place, source)


# --- The HTML page sample --------------------------------------------------------------


def test_sample_page_imports_metadata_bylines_dates_and_canonical_url(site):
    [result] = import_paths(PAGE)

    assert result.status == "created", result.reason
    article = Article.objects.get()
    assert article.headline == "Night ferry returns to the estuary after storm repairs"
    assert article.dek == (
        "The overnight crossing resumes on Friday after five months of repairs to the pier damaged in October's storm."
    )
    bylines = list(article.bylines.select_related("author").order_by("position"))
    assert [b.author.name for b in bylines] == ["Priya Natarajan", "Owen Bright"]
    assert bylines[0].author.slug == "priya-natarajan"
    assert article.dateline_place == "PORTHAVEN"
    assert article.published_at == datetime(2025, 3, 14, 6, 30, tzinfo=UTC)
    assert article.updated_at == datetime(2025, 3, 14, 9, 5, tzinfo=UTC)
    assert article.canonical_url == FERRY_URL
    assert article.source_key == FERRY_URL
    assert article.source_publisher == "The Harbour Courier"
    assert article.slug == "night-ferry-returns-to-the-estuary"
    assert article.language == "en-GB"


def test_sample_page_body_has_five_paragraphs_without_chrome(site):
    import_paths(PAGE)
    article = Article.objects.get()

    texts = paragraphs(article.body)
    assert len(texts) == 5
    assert texts[0].startswith("The overnight ferry between Porthaven and Saltmere")
    for chrome in ("Advertisement", "cookies", "More from Transport", "Comments are closed", "Privacy", "Sport"):
        assert chrome not in article.body
    assert "An earlier version" not in article.body  # the correction is a correction, not body


def test_sample_page_photos_and_correction(site):
    import_paths(PAGE)
    article = Article.objects.get()

    lead, inline = placements(article)
    assert lead.role == "lead"
    assert lead.image.alt_text == "A crane lowers a concrete section onto the new pier at dusk."
    assert lead.image.caption == "Workers fit the last section of the rebuilt pier on Wednesday."
    assert (lead.image.creator, lead.image.agency) == ("Sam Okafor", "Courier")
    assert lead.image.source_url == "https://courier.example.org/media/2025/03/ferry-pier.jpg"
    assert inline.role == "inline"
    assert inline.image.caption == "Passengers on the last crossing before the storm, in October."
    assert (inline.image.creator, inline.image.agency, inline.image.distributor) == (
        "Lena Marsh",
        "Coastline Agency",
        "Reuters",
    )
    assert f'data-placement="{inline.position}"' in article.body
    assert (
        article.body.index("We know how much")
        < article.body.index("data-placement")
        < article.body.index("The repairs cost")
    )
    [correction] = article.corrections.all()
    assert correction.kind == "correction"
    assert correction.text.startswith("An earlier version of this article gave the wrong time")
    assert correction.revision is not None
    # The source's modification time stays the article's "Updated" time.
    assert article.updated_at == datetime(2025, 3, 14, 9, 5, tzinfo=UTC)


def test_publish_keeps_the_original_time_or_keeps_the_draft_when_gates_refuse(site):
    results = import_paths(PAGE, CAPTURE, publish=True)

    page, capture = results
    ferry = Article.objects.get(source_key=FERRY_URL)
    assert page.status == "created" and page.warnings == []
    assert ferry.status == Article.Status.PUBLISHED
    assert ferry.published_at == datetime(2025, 3, 14, 6, 30, tzinfo=UTC)
    assert ferry.get_absolute_url() == "/2025/03/14/night-ferry-returns-to-the-estuary/"
    tram = capture.article
    assert tram.status == Article.Status.DRAFT  # a capture names no author: no byline, no publication
    assert capture.warnings == ["kept as a draft: An article needs at least one byline before it can be published."]


# --- The web archive sample ------------------------------------------------------------


def test_sample_archive_gives_one_article_and_skips_robots_txt(site):
    results = import_paths(CRAWL)

    assert [r.status for r in results] == ["created", "skipped"]
    assert results[1].label.endswith("https://courier.example.org/robots.txt")
    assert "not an HTML page" in results[1].reason
    article = Article.objects.get()
    assert article.headline == "Night ferry returns to the estuary after storm repairs"
    assert article.canonical_url == FERRY_URL
    assert len(paragraphs(article.body)) == 5
    assert article.placements.count() == 2


def test_the_page_and_the_archive_of_it_are_one_source(site):
    first = import_paths(CRAWL, PAGE)

    assert [r.status for r in first] == ["created", "skipped", "unchanged"]
    assert Article.objects.count() == 1


# --- Identity, re-import, failures -----------------------------------------------------


def counts() -> dict:
    models = (Article, Author, Byline, Image, ArticleImage, Correction, Revision)
    return {model.__name__: model.objects.count() for model in models}


def test_reimport_is_idempotent(site):
    first = import_paths(CAPTURE, PAGE, CRAWL)
    before = counts()
    second = import_paths(CAPTURE, PAGE, CRAWL)

    assert [r.status for r in first] == ["created", "created", "unchanged", "skipped"]
    assert [r.status for r in second] == ["unchanged", "unchanged", "unchanged", "skipped"]
    assert counts() == before  # no duplicate, no new revision


def test_a_changed_source_updates_its_article_with_one_new_revision(site, tmp_path):
    page = tmp_path / "ferry.html"
    page.write_text(PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    import_paths(page)
    article = Article.objects.get()
    revisions = article.revisions.count()

    page.write_text(page.read_text(encoding="utf-8").replace("23:40 sailing", "23:45 sailing"), encoding="utf-8")
    [result] = import_paths(page)

    assert result.status == "updated"
    assert Article.objects.count() == 1
    article.refresh_from_db()
    assert "23:45 sailing" in article.body
    assert article.revisions.count() == revisions + 1
    assert article.corrections.count() == 1  # the correction is not added twice
    assert article.placements.count() == 2
    assert Image.objects.count() == 2  # the photos are found again, not copied


def test_a_reimport_keeps_what_an_editor_added_that_the_source_does_not_say(site):
    from articles import services
    from tests.factories import AuthorFactory

    import_paths(CAPTURE)
    article = Article.objects.get()
    services.article_update(article=article, bylines=[services.BylineSpec(author=AuthorFactory(name="Rita Sousa"))])

    [result] = import_paths(CAPTURE)

    assert result.status == "unchanged"
    assert [b.author.name for b in article.bylines.all()] == ["Rita Sousa"]


def test_a_bad_file_is_reported_and_the_good_ones_still_import(site, tmp_path):
    broken_json = tmp_path / "broken.json"
    broken_json.write_text('{"uri": "https://x.example/1", "headlines": [', encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    empty_page = tmp_path / "empty.html"
    empty_page.write_text("<html><body><p>Nothing here</p></body></html>", encoding="utf-8")

    results = import_paths(CAPTURE, broken_json, binary, empty_page, PAGE, tmp_path / "missing.txt")

    statuses = {Path(r.label).name: (r.status, r.reason) for r in results}
    assert statuses["capture-tram-line.txt"][0] == "created"
    assert statuses["page-river-ferry.html"][0] == "created"
    assert statuses["broken.json"][0] == "failed" and "not valid JSON" in statuses["broken.json"][1]
    assert statuses["binary.txt"][0] == "failed" and "UTF-8" in statuses["binary.txt"][1]
    assert statuses["empty.html"][0] == "skipped" and "no article" in statuses["empty.html"][1]
    assert statuses["missing.txt"] == ("failed", "no such file")
    assert Article.objects.count() == 2


def test_a_damaged_archive_imports_what_it_can_read_and_reports_the_rest(site, tmp_path):
    damaged = tmp_path / "cut.warc.gz"
    damaged.write_bytes(CRAWL.read_bytes()[:-200])

    results = import_paths(damaged)

    assert results[0].status == "created"
    assert results[-1].status == "failed"
    assert "damaged archive" in results[-1].reason


def test_a_failed_article_writes_nothing(site, monkeypatch):
    from articles.importers import writer

    def refuse(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer.services, "correction_add", refuse)  # after the article, bylines and photos
    [result] = import_paths(PAGE)

    assert result.status == "failed" and "disk full" in result.reason
    assert counts() == {name: 0 for name in counts()}


def test_an_interrupted_import_leaves_no_half_article_and_can_be_run_again(site, tmp_path, monkeypatch):
    from articles.importers import writer

    folder = tmp_path / "captures"
    folder.mkdir()
    for number in range(5):
        (folder / f"{number}.txt").write_text(
            f"Story {number}\n\nLISBON — Paragraph of story {number}.\n\n"
            f"Alt {number}.\nCaption {number}. (Ana Reis/Lusa)\n",
            encoding="utf-8",
        )
    calls = {"n": 0}
    real = writer.placement_specs

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # the process is killed in the middle of the third article
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "placement_specs", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_paths(folder)

    assert Article.objects.count() == 2
    assert Image.objects.count() == 2  # the third article's photo was rolled back with it
    assert all(a.placements.count() == 1 and a.revisions.count() == 1 for a in Article.objects.all())

    monkeypatch.setattr(writer, "placement_specs", real)
    results = import_paths(folder)
    assert [r.status for r in results] == ["unchanged", "unchanged", "created", "created", "created"]
    assert Article.objects.count() == 5 and Image.objects.count() == 5


def test_import_into_another_site(site):
    other = Site.objects.create(domain="courier.example.org", name="Courier")
    [result] = import_paths(PAGE, site=other)

    article = result.article
    assert article.site == other
    # A page of the site it is imported into is not "captured elsewhere": no canonical URL.
    assert article.canonical_url == ""
    assert article.source_key == FERRY_URL
    assert Article.objects.filter(site=site).count() == 0


def test_html_parser_reads_bylines_from_the_page_when_there_is_no_structured_data():
    page = (
        "<html lang='en'><head><title>Quiet night | Paper</title></head><body><article>"
        "<h1>Quiet night in the harbour</h1><p class='byline'>By Ann Lee and Bo Chan</p>"
        "<div class='article-body'><p>HULL — Nothing happened, said the harbour master, "
        "and everyone went home early that evening.</p></div></article></body></html>"
    )
    item = parse_html_page(page.encode(), url="https://paper.example/2025/01/02/quiet/")

    assert item.headline == "Quiet night in the harbour"
    assert [b.name for b in item.bylines] == ["Ann Lee", "Bo Chan"]
    assert item.dateline_place == "HULL"
    assert paragraphs(item.body)[0].startswith("Nothing happened")
    assert item.source_key == url_key("https://paper.example/2025/01/02/quiet/")


def test_import_article_refuses_a_body_over_the_limit_and_writes_nothing(site, settings):
    from articles.importers.base import ImportedArticle

    settings.NEWSROOM = {**settings.NEWSROOM, "MAX_BODY_BYTES": 100}
    item = ImportedArticle(source_key="sha256:x", headline="Too long", body="<p>" + "word " * 100 + "</p>")

    with pytest.raises(Exception, match="too large"):
        import_article(item, site=site)
    assert Article.objects.count() == 0
