"""Exporters: ninjs 3.1 against the IPTC schema, the JSON Lines backup restored into an
empty database with nothing lost, the web archive checked by warcio, and the project's own
exports imported again (HTML page, ninjs, WARC)."""

import io
import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.db.models import FileField
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from warcio.archiveiterator import ArchiveIterator

from articles import services
from articles.exporters.jsonl import backup_queryset, write_jsonl
from articles.exporters.ninjs import article_ninjs
from articles.importers import Restorer, run_item
from articles.importers.sources import iter_items
from articles.models import (
    Article,
    ArticleImage,
    Author,
    Byline,
    Correction,
    Image,
    Revision,
    Section,
    SlugHistory,
    Tag,
)

from . import factories

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
needs_standards = pytest.mark.skipif(not STANDARDS.is_dir(), reason="../shared/standards is not beside the project")


@pytest.fixture(scope="module")
def ninjs_validator():
    schema = json.loads((STANDARDS / "ninjs-schema-3.1.json").read_text(encoding="utf-8"))
    # The schema refers to GeoJSON for places; nothing here writes geometry, so a stub will do.
    geojson = Resource.from_contents({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"})
    registry = Registry().with_resource("https://geojson.org/schema/GeoJSON.json", geojson)
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def rich_article(site, **fields):
    """A published article with two bylines (one a wire credit), a lead photo with a file,
    an inline photo without one, a section, tags, a wire dateline and a correction."""
    section = factories.SectionFactory()
    tags = [factories.TagFactory(name="Transport", slug="transport"), factories.TagFactory(name="Ports", slug="ports")]
    lead = factories.image_with_file(
        alt_text="A crane over the pier.",
        caption="The rebuilt pier.",
        creator="Sam Okafor",
        agency="Courier",
        copyright_notice="© 2025 Courier",
    )
    inline = factories.ImageFactory(
        alt_text="Passengers on deck.", caption="The last crossing.", creator="Lena Marsh", agency="Coastline Agency"
    )
    inline.distributor = "Reuters"
    inline.save()
    article = services.article_create(
        site=site,
        headline=fields.pop("headline", "Night ferry returns"),
        slug=fields.pop("slug", "night-ferry-returns"),
        dek="The crossing resumes on Friday.",
        body=(
            "<p>The overnight ferry will run again from Friday.</p>"
            '<figure data-placement="1"></figure><p>The repairs cost <em>4.2 million</em> pounds.</p>'
        ),
        dateline_place="PORTHAVEN",
        dateline_country="GB",
        dateline_source="Reuters",
        section=section,
        tags=tags,
        bylines=[
            services.BylineSpec(
                author=Author.objects.get_or_create(slug="priya-natarajan", defaults={"name": "Priya Natarajan"})[0]
            ),
            services.BylineSpec(credit_text="Reuters staff", role="contributor"),
        ],
        placements=[
            services.PlacementSpec(image=lead, role="lead"),
            services.PlacementSpec(image=inline, role="inline"),
        ],
        **fields,
    )
    services.article_publish(article=article, published_at=datetime(2025, 3, 14, 6, 30, tzinfo=UTC))
    services.correction_add(article=article, text="An earlier version gave the wrong time.")
    return Article.objects.with_listing_relations().prefetch_related("corrections").get(pk=article.pk)


# --- ninjs -----------------------------------------------------------------------------


@needs_standards
def test_ninjs_of_a_rich_article_validates_against_the_3_1_schema(site, ninjs_validator):
    article = rich_article(site)
    data = article_ninjs(article, base_url="https://news.example.org")

    errors = sorted(ninjs_validator.iter_errors(data), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    assert data["uri"] == f"https://news.example.org/a/{article.pk}/"
    assert data["standard"] == {
        "name": "ninjs",
        "version": "3.1",
        "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
    }
    assert data["headlines"] == [{"role": "main", "contentType": "text/plain", "value": "Night ferry returns"}]
    assert data["firstCreated"] == "2025-03-14T06:30:00Z"
    assert data["pubStatus"] == "usable"
    assert data["located"] == "PORTHAVEN"
    assert data["by"] == "Priya Natarajan and Reuters staff"
    assert {"role": "correction", "contentType": "text/plain", "value": "An earlier version gave the wrong time."} in (
        data["descriptions"]
    )
    assert {"name": "Transport", "rel": "tag", "literal": "transport"} in data["subjects"]


@needs_standards
def test_ninjs_photos_are_picture_associations_with_caption_credit_and_photographer(site, ninjs_validator):
    article = rich_article(site)
    lead, inline = article_ninjs(article, base_url="https://news.example.org")["associations"]

    assert lead["type"] == "picture" and lead["rel"] == "leadImage" and lead["name"] == "photo-0"
    assert lead["by"] == "Sam Okafor"
    assert {"role": "caption", "contentType": "text/plain", "value": "The rebuilt pier."} in lead["descriptions"]
    assert {"role": "creditline", "contentType": "text/plain", "value": "Sam Okafor/Courier"} in lead["descriptions"]
    assert lead["copyrightNotice"] == "© 2025 Courier"
    assert lead["renditions"][0]["name"] == "original"
    assert lead["renditions"][0]["href"].startswith("https://news.example.org/media/images/")
    assert inline["by"] == "Lena Marsh"
    assert {"role": "creditline", "contentType": "text/plain", "value": "Lena Marsh/Coastline Agency via Reuters"} in (
        inline["descriptions"]
    )
    assert inline["infoSources"] == [
        {"name": "Coastline Agency", "role": "originator"},
        {"name": "Reuters", "role": "distributor"},
    ]
    assert "renditions" not in inline  # the picture was never archived


@needs_standards
def test_ninjs_export_command_writes_a_valid_array_of_published_articles(site, ninjs_validator, tmp_path):
    rich_article(site)
    factories.draft_article(site=site)
    out = tmp_path / "articles.json"

    call_command("export_articles", "--format", "ninjs", "--out", str(out), stdout=io.StringIO())

    items = json.loads(out.read_text(encoding="utf-8"))
    assert len(items) == 1  # the draft is not exported without --all
    assert list(ninjs_validator.iter_errors(items[0])) == []
    call_command("export_articles", "--format", "ninjs", "--all", "--out", str(out), stdout=io.StringIO())
    items = json.loads(out.read_text(encoding="utf-8"))
    assert [item["pubStatus"] for item in items] == ["usable", "withheld"]
    assert all(not list(ninjs_validator.iter_errors(item)) for item in items)


@needs_standards
def test_the_shared_ninjs_example_imports(site):
    [result] = import_files(STANDARDS / "ninjs-3.1-example-article.json")

    assert result.status == "created", result.reason
    article = result.article
    assert article.headline == "Warehouse fire"
    assert article.dateline_place == "Springfield"
    [placement] = article.placements.select_related("image")
    assert placement.role == "lead"
    assert placement.image.caption == "Firefighters at the scene, Main St., 3 March 2025."
    assert placement.image.creator == "Jane Photographer"
    assert placement.image.agency == "Example Agency"
    assert [b.author.name for b in article.bylines.select_related("author")] == ["Jane Doe", "John Roe"]


# --- JSON Lines backup ---------------------------------------------------------------------


def import_files(*paths, site=None, publish=False):
    restorer = Restorer(site=site)
    return [run_item(item, site=site, publish=publish, restorer=restorer) for item in iter_items(paths)]


MODELS = (Site, Section, Tag, Author, Image, Article, Byline, ArticleImage, Correction, Revision, SlugHistory)
# Rows whose ids are kept by a restore; the others are compared by content.
KEPT_IDS = {Site, Author, Image, Article}


def table(model) -> list:
    """Every row of ``model`` as comparable data (ids only where a restore keeps them)."""
    rows = []
    for obj in model.objects.all():
        row = {}
        for field in obj._meta.concrete_fields:
            if field.primary_key and model not in KEPT_IDS:
                continue
            value = field.value_from_object(obj)
            if field.is_relation and field.related_model not in KEPT_IDS and value is not None:
                related = getattr(obj, field.name)
                value = getattr(related, "number", None) or getattr(related, "slug", None) or str(related)
            if isinstance(field, FileField):
                value = value.name
            row[field.name] = value
        rows.append(row)
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def database_content() -> dict:
    content = {model.__name__: table(model) for model in MODELS}
    content["snapshots"] = {a.pk: services.article_snapshot(a) for a in Article.objects.all()}
    content["tags"] = sorted((a.pk, t.slug) for a in Article.objects.all() for t in a.tags.all())
    content["sites"] = sorted((a.pk, s.pk) for a in Article.objects.all() for s in a.sites.all())
    return content


def empty_archive() -> None:
    Correction.objects.all().delete()
    Revision.objects.all().delete()
    for model in (SlugHistory, Byline, ArticleImage, Article, Image, Author, Tag, Section):
        model.objects.all().delete()
    Site.objects.exclude(pk=1).delete()


def varied_archive(site):
    """Articles in every state and shape a backup must carry."""
    other = Site.objects.create(domain="other.example.org", name="Other")
    published = rich_article(site)
    services.article_update(article=published, headline="Night ferry returns after repairs", slug="ferry-back")
    services.article_restore(article=published, revision=published.revisions.get(number=1))
    published.sites.add(other)
    withdrawn = factories.published_article(site=site, headline="Pier closed", slug="pier-closed")
    services.article_withdraw(article=withdrawn, reason="Legal reasons.")
    factories.draft_article(site=other, headline="A draft elsewhere", slug="draft-elsewhere")
    scheduled = factories.draft_article(site=site, headline="Later", slug="later")
    services.article_publish(article=scheduled, published_at=datetime.now(UTC) + timedelta(days=2))
    return published


def test_jsonl_backup_restores_into_an_empty_database_with_nothing_lost(site, tmp_path):
    varied_archive(site)
    assert SlugHistory.objects.exists()
    before = database_content()
    backup = tmp_path / "backup.jsonl"
    call_command("export_articles", "--format", "jsonl", "--out", str(backup), stdout=io.StringIO())

    empty_archive()
    assert Article.objects.count() == 0
    out = io.StringIO()
    call_command("import_articles", str(backup), stdout=out)

    assert "created 4, updated 0, unchanged 0, skipped 0, failed 0" in out.getvalue()
    after = database_content()
    for name in before:
        assert after[name] == before[name], name


def test_jsonl_restore_again_changes_nothing_and_never_overwrites_newer_work(site, tmp_path):
    article = varied_archive(site)
    backup = tmp_path / "backup.jsonl"
    call_command("export_articles", "--format", "jsonl", "--out", str(backup), stdout=io.StringIO())
    before = database_content()

    results = import_files(backup)
    assert {r.status for r in results} == {"unchanged"}
    assert database_content() == before

    services.article_update(article=article, dek="Edited after the backup.")
    results = import_files(backup)
    statuses = {r.article.pk if r.article else None: r.status for r in results}
    skipped = [r for r in results if r.status == "skipped"]
    assert len(skipped) == 1 and "not overwritten" in skipped[0].reason
    assert Article.objects.get(pk=article.pk).dek == "Edited after the backup."
    assert list(statuses.values()).count("unchanged") == 3


def test_restored_database_keeps_working(site, tmp_path, client):
    """Rows restored with their ids do not collide with the next ordinary insert
    (PostgreSQL's id sequences are moved past them), and the restored page answers."""
    article = rich_article(site)
    backup = tmp_path / "backup.jsonl"
    call_command("export_articles", "--format", "jsonl", "--out", str(backup), stdout=io.StringIO())
    header, record = (json.loads(line) for line in backup.read_text(encoding="utf-8").splitlines())
    # The next id the database would hand out: a restore must not leave it to a new row.
    record["article"]["id"] = article.pk + 1
    backup.write_text(json.dumps(header) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    empty_archive()

    [result] = import_files(backup)

    assert result.status == "created" and result.article.pk == article.pk + 1
    page = client.get(result.article.get_absolute_url(), HTTP_HOST=site.domain)
    assert page.status_code == 200 and b"Night ferry returns" in page.content
    assert client.get(f"/a/{article.pk + 1}/", HTTP_HOST=site.domain).status_code == 301
    fresh = factories.published_article(site=site, headline="After the restore", slug="after-restore")
    assert fresh.pk > article.pk + 1
    assert services.revision_create(article=fresh).number == 3


def test_jsonl_export_streams_with_a_fixed_number_of_queries_per_chunk(site, django_assert_max_num_queries):
    for number in range(3):
        rich_article(site, headline=f"Story {number}", slug=f"story-{number}")
    out = io.StringIO()
    # 1 articles (+ site, section, creator) and 8 prefetches: bylines+authors, placements+images,
    # sites, tags, corrections+revisions, revisions+users, slug history+sites; whatever the count.
    with django_assert_max_num_queries(10):
        write_jsonl(backup_queryset().iterator(chunk_size=100), out)
    lines = out.getvalue().splitlines()
    assert json.loads(lines[0])["format"] == "newsroom-backup"
    assert len(lines) == 4


def test_a_malformed_backup_line_fails_alone(site, tmp_path):
    rich_article(site)
    backup = tmp_path / "backup.jsonl"
    call_command("export_articles", "--format", "jsonl", "--out", str(backup), stdout=io.StringIO())
    lines = backup.read_text(encoding="utf-8").splitlines()
    lines.insert(1, json.dumps({"type": "article", "article": {}}))
    lines.insert(2, "{not json")
    backup.write_text("\n".join(lines) + "\n", encoding="utf-8")
    empty_archive()

    results = import_files(backup)

    assert [r.status for r in results] == ["failed", "failed", "created"]
    assert "malformed backup record" in results[0].reason
    assert "not valid JSON" in results[1].reason


# --- Web archive ---------------------------------------------------------------------------


def read_archive(path: Path) -> list:
    records = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            records.append(
                (
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Target-URI"),
                    record.http_headers.get_statuscode() if record.http_headers else None,
                    record.content_stream().read(),
                )
            )
    return records


def test_warc_export_holds_the_rendered_pages_and_their_pictures(site, tmp_path):
    article = rich_article(site)
    factories.draft_article(site=site)  # not public: not archived
    archive = tmp_path / "site.warc.gz"

    call_command("export_articles", "--format", "warc", "--out", str(archive), "--scheme", "http", stdout=io.StringIO())

    records = read_archive(archive)  # every block and payload digest checked
    assert records[0][0] == "warcinfo"
    responses = {uri: (status, body) for kind, uri, status, body in records if kind == "response"}
    page_url = f"http://{site.domain}{article.get_absolute_url()}"
    picture_url = f"http://{site.domain}{article.placements.get(role='lead').image.file.url}"
    assert {page_url, picture_url} <= set(responses)
    # Anything else is a picture the page shows: a rendition URL (its redirect) or a media file.
    for uri in set(responses) - {page_url, picture_url}:
        assert uri.startswith((f"http://{site.domain}/img/", f"http://{site.domain}/media/")), uri
    status, body = responses[page_url]
    assert status == "200"
    assert b"Night ferry returns" in body and b"Sam Okafor/Courier" in body
    image_status, image_body = responses[picture_url]
    assert image_status == "200" and image_body.startswith(b"\xff\xd8")  # the stored JPEG
    assert sum(1 for kind, *_ in records if kind == "request") == len(responses)


def test_warcio_check_accepts_the_export(site, tmp_path):
    rich_article(site)
    archive = tmp_path / "site.warc.gz"
    call_command("export_articles", "--format", "warc", "--out", str(archive), stdout=io.StringIO())

    checked = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(archive)], capture_output=True, text=True, check=False
    )
    if "No module named warcio.cli.__main__" in checked.stderr or checked.returncode == 1 and not checked.stdout:
        checked = subprocess.run(
            [str(Path(sys.executable).parent / "warcio"), "check", "-v", str(archive)],
            capture_output=True,
            text=True,
            check=False,
        )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout and "fail" not in checked.stdout


# --- Our own exports, imported again ---------------------------------------------------


def same_content(original: Article, imported: Article) -> None:
    assert imported.headline == original.headline
    assert imported.dek == original.dek
    assert imported.dateline_place == original.dateline_place
    assert imported.published_at == original.published_at
    assert re.sub(r">\s+<", "><", imported.body) == original.body
    assert [(b.display_name) for b in imported.bylines.select_related("author")] == [
        b.display_name for b in original.bylines.select_related("author")
    ]
    theirs = [
        (p.role, p.effective_caption, p.effective_credit, p.image.creator, p.image.agency, p.image.distributor)
        for p in imported.placements.select_related("image").order_by("position")
    ]
    ours = [
        (p.role, p.effective_caption, p.effective_credit, p.image.creator, p.image.agency, p.image.distributor)
        for p in original.placements.select_related("image").order_by("position")
    ]
    assert theirs == ours
    assert list(imported.corrections.values_list("text", flat=True)) == list(
        original.corrections.values_list("text", flat=True)
    )


def export_and_empty(site, fmt: str, path: Path):
    original = rich_article(site)
    kept = {
        "headline": original.headline,
        "dek": original.dek,
        "body": original.body,
        "dateline_place": original.dateline_place,
        "published_at": original.published_at,
    }
    call_command("export_articles", "--format", fmt, "--out", str(path), "--scheme", "http", stdout=io.StringIO())
    return original, kept


def test_our_ninjs_export_imports_again(site, tmp_path):
    out = tmp_path / "export.json"
    original, _kept = export_and_empty(site, "ninjs", out)

    # Into the same database: it is the same article, unchanged.
    [again] = import_files(out)
    assert again.status == "unchanged" and again.article.pk == original.pk

    # Into another site: a copy with the same content.
    mirror = Site.objects.create(domain="mirror.example.net", name="Mirror")
    [copy] = import_files(out, site=mirror, publish=True)
    assert copy.status == "created", copy.reason
    imported = copy.article
    assert imported.status == Article.Status.PUBLISHED
    assert imported.dateline_country == "GB" and imported.dateline_source == "Reuters"
    assert imported.section.slug == "world" and {t.slug for t in imported.tags.all()} == {"transport", "ports"}
    assert [b.role for b in imported.bylines.all()] == ["author", "contributor"]
    same_content(original, imported)


def test_our_html_page_imports_again(site, tmp_path, client):
    original = rich_article(site)
    page = tmp_path / "page.html"
    page.write_bytes(client.get(original.get_absolute_url(), HTTP_HOST=site.domain).content)

    [again] = import_files(page)
    assert again.status == "unchanged" and again.article.pk == original.pk

    mirror = Site.objects.create(domain="mirror.example.net", name="Mirror")
    [copy] = import_files(page, site=mirror)
    assert copy.status == "created", copy.reason
    assert copy.article.canonical_url == f"http://{site.domain}{original.get_absolute_url()}"
    same_content(original, copy.article)


def test_our_warc_export_imports_again_with_the_pictures(site, tmp_path):
    archive = tmp_path / "export.warc.gz"
    original, _kept = export_and_empty(site, "warc", archive)

    [again] = import_files(archive)
    assert again.status == "unchanged" and again.article.pk == original.pk

    mirror = Site.objects.create(domain="mirror.example.net", name="Mirror")
    [copy] = import_files(archive, site=mirror)
    assert copy.status == "created", copy.reason
    same_content(original, copy.article)
    lead = copy.article.placements.select_related("image").get(role="lead")
    # The archived picture came with the page: the copy has the file, not only the words.
    source = original.placements.get(role="lead").image
    assert lead.image.file and (lead.image.width, lead.image.height) == (source.width, source.height)
    assert (lead.image.creator, lead.image.agency, lead.image.copyright_notice) == (
        "Sam Okafor",
        "Courier",
        "© 2025 Courier",
    )
