"""``manage.py generate_archive``: deterministic generated archives that pages, the API and
the revision services treat exactly like hand-made articles. Runs on SQLite and, with
DATABASE_URL, on PostgreSQL (where the load goes through COPY)."""

import re
from collections import Counter
from datetime import timedelta
from html import escape

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles import services
from articles.generate import indexes, load, words
from articles.html import count_words, sanitize_body
from articles.models import (
    Article,
    ArticleImage,
    Author,
    Byline,
    Correction,
    Image,
    Revision,
    Section,
    SiteSettings,
    Tag,
)
from articles.services import article_snapshot

from . import factories
from .conftest import database_vendor

UNTIL = "2026-11-25"
# "Name/AFP via Getty Images", "Name/Reuters", "Handout via AFP", "Name/Site name"…
CREDIT = re.compile(r"^([A-Z][\w.'-]+ [A-Z][\w.'-]+/[\w .&/-]+( via [\w ]+)?|Handout via [\w ]+|Courtesy of .+)$")


def generate(*extra, articles=60, seed=7):
    call_command("generate_archive", "--articles", str(articles), "--seed", str(seed), "--until", UNTIL, *extra)


def dump() -> dict:
    """Every generated row, comparable across runs."""
    return {
        "articles": list(Article.objects.order_by("pk").values()),
        "revisions": list(Revision.objects.order_by("pk").values()),
        "bylines": list(Byline.objects.order_by("pk").values()),
        "images": list(Image.objects.order_by("pk").values()),
        "placements": list(ArticleImage.objects.order_by("pk").values()),
        "tags": list(Article.tags.through.objects.order_by("pk").values()),
        "sites": list(Article.sites.through.objects.order_by("pk").values()),
        "corrections": list(Correction.objects.order_by("pk").values()),
    }


def delete_generated():
    Correction.objects.all().delete()
    Revision.objects.all().delete()
    Article.objects.all().delete()
    Image.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_same_seed_gives_the_same_archive_and_another_seed_another(capsys):
    generate()
    first = dump()
    out = capsys.readouterr().out
    assert re.search(r"Generated 60 articles, \d+ revisions, .* in \d+\.\d s\.", out), out
    delete_generated()
    generate()
    assert dump() == first
    delete_generated()
    generate(seed=8)
    other = dump()
    assert [a["headline"] for a in other["articles"]] != [a["headline"] for a in first["articles"]]


@pytest.mark.django_db(transaction=True)
def test_generated_rows_keep_the_models_rules():
    generate(articles=150)
    articles = list(Article.objects.select_related("site__settings"))
    assert len(articles) == 150
    statuses = {a.status for a in articles}
    assert {"published", "draft"} <= statuses
    urls = set()
    for article in articles:
        assert 300 <= article.word_count <= 1500
        assert count_words(article.body) == article.word_count
        assert sanitize_body(article.body) == article.body
        assert article.body.startswith("<p>") and "\n<p>" in article.body
        assert article.dateline_place and len(article.dateline_country) == 2
        if article.status in {"published", "scheduled", "withdrawn"}:
            local = timezone.localtime(article.published_at, article.site.settings.tzinfo)
            assert article.pub_date == local.date()
            assert article.created_at < article.published_at
            urls.add((article.site_id, article.pub_date, article.slug))
        else:
            assert article.published_at is None and article.pub_date is None
        if article.status == "scheduled":
            assert article.published_at > timezone.now() - timedelta(days=400)
        if article.updated_at is not None:
            assert article.updated_at > article.published_at
        revisions = list(article.revisions.order_by("number"))
        assert [r.number for r in revisions] == list(range(1, len(revisions) + 1))
        assert article.version == len(revisions)
        assert article.modified_at == revisions[-1].created_at
        assert all(a.created_at < b.created_at for a, b in zip(revisions, revisions[1:], strict=False))
        assert revisions[-1].status == article.status
        for revision in revisions:
            assert count_words(revision.snapshot["body"]) == revision.snapshot["word_count"]
        # The newest revision is exactly what article_snapshot makes of the stored article.
        assert revisions[-1].snapshot == article_snapshot(article)
        for correction in article.corrections.all():
            assert correction.revision.article_id == article.pk
            assert correction.text in [c["text"] for c in correction.revision.snapshot["corrections"]]
            assert article.updated_at >= correction.created_at
        bylines = list(article.bylines.all())
        assert 1 <= len(bylines) <= 3 and [b.position for b in bylines] == list(range(len(bylines)))
        placements = list(article.placements.all())
        assert len(placements) <= 4 and sum(p.role == "lead" for p in placements) <= 1
    assert len(urls) == sum(a.pub_date is not None for a in articles)
    # Generated images share a few files, so they leave the SHA-256 empty (the unique
    # constraint covers non-empty values only).
    assert set(Image.objects.values_list("sha256", flat=True)) == {""}
    assert Image.objects.values("file").distinct().count() <= 8


@pytest.mark.django_db(transaction=True)
def test_published_articles_render_and_are_listed_by_the_api(client):
    generate()
    published = list(Article.objects.published().select_related("site"))
    assert len(published) >= 40
    listed = set()
    for site_id in {a.site_id for a in published}:
        response = client.get("/api/v1/articles/", {"site": site_id, "page_size": 100})
        assert response.status_code == 200
        listed |= {item["id"] for item in response.json()["results"]}
    assert {a.pk for a in published} <= listed
    seen_agency_credit = False
    for article in published:
        response = client.get(article.get_absolute_url(), HTTP_HOST=article.site.domain)
        assert response.status_code == 200, article.get_absolute_url()
        page = response.content.decode()
        assert escape(article.headline) in page
        assert f"{article.read_time_minutes} min read" in page
        for byline in article.bylines.select_related("author"):
            assert escape(byline.display_name) in page
        for placement in article.placements.select_related("image"):
            credit = placement.effective_credit
            assert CREDIT.match(credit), credit
            assert escape(credit) in page
            seen_agency_credit |= credit.endswith(" via Getty Images") and "/" in credit
        revision = article.revisions.filter(is_published=True).first()
        rev_url = f"{article.get_absolute_url()}rev/{revision.number}/"
        assert client.get(rev_url, HTTP_HOST=article.site.domain).status_code == 200
    assert seen_agency_credit


@pytest.mark.django_db(transaction=True)
def test_revisions_restore_through_the_revision_service():
    generate()
    articles = Article.objects.filter(status="published").order_by("pk")[:15]
    for article in articles:
        first = article.revisions.order_by("number").first()
        restored = services.article_restore(article=article, revision=first)
        assert restored.body == first.snapshot["body"]
        assert restored.word_count == first.snapshot["word_count"]
        assert [b.author_id for b in restored.bylines.order_by("position")] == [
            b["author"] for b in first.snapshot["bylines"]
        ]
        assert article.revisions.order_by("-number").first().message == f"Restored revision {first.number}"


@pytest.mark.django_db(transaction=True)
def test_sites_authors_and_agencies():
    generate(articles=40)
    courier = SiteSettings.objects.get(site_id=1)
    assert (courier.publisher_name, courier.time_zone) == ("The Harbour Courier", "Europe/London")
    assert SiteSettings.objects.count() == 2
    agencies = set(Author.objects.filter(kind="organization").values_list("name", flat=True))
    assert agencies == {name for name, _byline in words.WIRE_AGENCIES}
    assert Author.objects.filter(kind="person").count() >= 10
    assert Section.objects.count() == len(words.SECTIONS) and Tag.objects.count() >= 30


@pytest.mark.django_db(transaction=True)
def test_append_continues_ids_and_keeps_urls_unique(site):
    generate(articles=40)
    with pytest.raises(CommandError, match="already has 40 articles"):
        generate(articles=40)
    generate("--append", articles=40)  # the same seed: the same slugs on the same days
    assert Article.objects.count() == 80
    dated = Article.objects.exclude(pub_date=None)
    assert dated.values("site", "pub_date", "slug").distinct().count() == dated.count()
    assert Article.objects.filter(pub_date=None).values("site", "slug").distinct().count() == (
        Article.objects.filter(pub_date=None).count()
    )
    # The id sequences were moved past the generated ids: ordinary writes still work.
    generated = max(Article.objects.values_list("pk", flat=True))
    article = factories.published_article(site=site)
    assert article.pk > generated and article.revisions.count() == 2  # created, published


@pytest.mark.django_db(transaction=True)
def test_refuses_a_non_empty_archive_and_writes_nothing(site, settings):
    factories.published_article(site=site)
    before = {model: model.objects.count() for model in (Article, Revision, Author, Image, Tag, Section)}
    with pytest.raises(CommandError, match="already has 1 articles; nothing was written"):
        generate()
    assert {model: model.objects.count() for model in before} == before
    assert not (settings.MEDIA_ROOT / "images" / "generated").exists()


@pytest.mark.django_db
def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        call_command("generate_archive", "--articles", "0")
    with pytest.raises(CommandError, match="--sites must be between 1 and 5"):
        call_command("generate_archive", "--articles", "5", "--sites", "9")
    assert not Article.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_full_text_search_finds_rare_and_common_terms(client):
    generate()
    published = list(Article.objects.published())
    found_in = Counter(word for a in published for word in set(re.findall(r"\b[a-z]{7,}\b", a.body)))
    rare = min(found_in, key=lambda word: (found_in[word], word))
    nouns = set(words.COMMON_WORDS[:200])  # not stop words, which a full-text search ignores
    common = max((word for word in found_in if word in nouns), key=lambda word: (found_in[word], word))
    assert found_in[rare] <= 2 < found_in[common]

    def search(term):
        response = client.get("/api/v1/articles/", {"q": term, "page_size": 100})
        assert response.status_code == 200
        return {item["id"] for item in response.json()["results"]}

    assert {a.pk for a in published if re.search(rf"\b{rare}\b", a.body)} <= search(rare)
    assert len(search(common)) > len(search(rare))


# --- Secondary indexes dropped for the load (PostgreSQL) ----------------------------------

postgres_only = pytest.mark.skipif(
    database_vendor() != "postgresql", reason="the load drops and rebuilds indexes on PostgreSQL only"
)


def index_set() -> set:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
        return set(cursor.fetchall())


def pending_table_exists() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [indexes.PENDING])
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_indexes_dropped_for_the_load_come_back_identical(monkeypatch, capsys):
    before = index_set()
    during = []
    real_run = load.run_batches

    def watched(*args, **kwargs):
        during.append({name for _table, name, _def in index_set()})
        yield from real_run(*args, **kwargs)

    monkeypatch.setattr(load, "run_batches", watched)
    generate("--drop-search-index")
    assert "article_search_gin" not in during[0] and "articles_revision_article_id_2d2af917" not in during[0]
    assert "article_unique_slug_per_site_and_date" in during[0] and "articles_article_pkey" in during[0]
    assert index_set() == before and not pending_table_exists()
    assert re.search(r"Rebuilt \d+ indexes in", capsys.readouterr().out)
    call_command("migrate", "--check", verbosity=0)  # no pending model changes either
    delete_generated()
    generate("--keep-indexes", articles=20)
    assert "article_search_gin" in during[1] and "articles_revision_article_id_2d2af917" in during[1]
    delete_generated()
    generate(articles=20)  # by default the GIN index stays, the btrees go
    assert "article_search_gin" in during[2] and "articles_revision_article_id_2d2af917" not in during[2]
    assert index_set() == before


@postgres_only
@pytest.mark.parametrize("failure", [RuntimeError("disk full"), KeyboardInterrupt()])
@pytest.mark.django_db(transaction=True)
def test_a_load_failing_midway_still_rebuilds_the_indexes(monkeypatch, failure):
    before = index_set()
    real_run = load.run_batches

    def failing(*args, **kwargs):
        batches = real_run(*args, **kwargs)
        try:
            yield next(batches)
            raise failure
        finally:
            batches.close()  # stops the other workers, as a failure inside the loader does

    monkeypatch.setattr(load, "run_batches", failing)
    with pytest.raises(type(failure)):
        generate("--drop-search-index", articles=4500)  # five batches: the failure comes after the first
    assert 0 < Article.objects.count() < 4500
    assert index_set() == before and not pending_table_exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_indexes_left_dropped_by_a_killed_run_are_rebuilt_on_the_next_start(capsys):
    before = index_set()
    dropped = indexes.drop(load.table_names())  # what a run killed during its load leaves
    assert "article_search_gin" in {name for name, _definition in dropped}
    assert index_set() < before and pending_table_exists()
    assert "CREATE INDEX article_search_gin ON" in indexes.recovery_message(indexes.pending())
    call_command("generate_archive", "--restore-indexes")
    assert f"Rebuilt {len(dropped)} indexes" in capsys.readouterr().out
    assert index_set() == before and not pending_table_exists()
    assert not Article.objects.exists()
