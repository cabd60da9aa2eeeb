"""Management commands: seed_demo (the demo content of `make run`) and ensure_admin."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.sites.models import Site
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from PIL import Image as PILImage

from articles import demo, services
from articles.models import Article, ArticleImage, Author, Byline, Correction, Image, Revision, Section, Tag

SUMMARY = re.compile(r"^Demo content: (\d+) created, (\d+) updated, (\d+) already there; .*\.$", re.MULTILINE)


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def counts() -> dict:
    models = (Site, Author, Section, Tag, Image, Article, Byline, ArticleImage, Correction, Revision)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def seeded(db) -> str:
    return run("seed_demo")


# --- seed_demo ---------------------------------------------------------------------------


def test_seed_demo_configures_both_sites(seeded):
    courier = Site.objects.get(pk=1)
    assert (courier.domain, courier.name) == ("localhost", "The Harbour Courier")
    assert courier.settings.publisher_name == "The Harbour Courier"
    assert courier.settings.time_zone == "Europe/London"
    assert courier.settings.comments_enabled is True

    coastline = Site.objects.get(domain="127.0.0.1")
    assert coastline.name == "Coastline Weekly"
    assert coastline.settings.comments_enabled is False
    assert coastline.settings.comments_notice == "We are temporarily suspending article commenting."


def test_seed_demo_creates_articles_with_bylines(seeded):
    articles = Article.objects.all()
    assert articles.count() == len(demo.ARTICLES) == 7
    for article in articles:
        assert 1 <= article.bylines.count() <= 3
        assert 150 <= article.word_count <= 600
        assert article.body.count("<p>") >= 3
        assert article.section is not None
        assert article.tags.exists()

    wire = Byline.objects.get(credit_text="Meridian Press staff")
    assert wire.author.kind == Author.Kind.ORGANIZATION
    assert wire.article.dateline == "NAIROBI (Meridian Press) —"
    assert Byline.objects.filter(role=Byline.Role.ADDITIONAL_REPORTING).count() == 1
    datelines = set(articles.values_list("dateline_place", flat=True))
    assert {"Porthaven", "Lisbon", "Nairobi", "Montréal", "Tromsø"} <= datelines
    assert Article.objects.get(slug="montreal-quieter-snow-ploughs").dateline == "MONTRÉAL —"


def test_seed_demo_photos_are_stored_with_full_credits(seeded, settings):
    assert Image.objects.count() == len(demo.PHOTOS)
    for image in Image.objects.all():
        assert image.file.name.startswith("images/")
        assert default_storage.exists(image.file.name)
        assert Path(default_storage.path(image.file.name)).is_relative_to(settings.MEDIA_ROOT)
        assert (image.width, image.height) == (1200, 800)
        assert len(image.sha256) == 64
        assert image.alt_text and image.caption
        assert image.creator and image.agency and image.distributor
        with default_storage.open(image.file.name) as stored, PILImage.open(stored) as picture:
            assert (picture.format, picture.size) == ("JPEG", (1200, 800))

    breakwater = Image.objects.get(original_filename="porthaven-breakwater.jpg")
    assert breakwater.credit_line == "Rhiannon Tait/Westmark Photo via Lumen Images"
    handout = Image.objects.get(original_filename="tromso-whale-fluke.jpg")
    assert handout.credit_line == "Handout photo: Arctic Sound Observatory"  # the override wins


def test_seed_demo_places_lead_and_inline_photos(seeded):
    with_lead = Article.objects.filter(placements__role=ArticleImage.Role.LEAD).distinct()
    assert with_lead.count() == 6  # all but the scheduled ferry story
    inline = ArticleImage.objects.filter(role=ArticleImage.Role.INLINE)
    assert inline.count() == 2
    for placement in inline:
        assert placement.position == 1
        assert '<figure data-placement="1"></figure>' in placement.article.body


def test_seed_demo_publication_states(seeded):
    now = timezone.now()
    published = Article.objects.published()
    assert published.count() == 5
    assert len({article.published_at.date() for article in published}) == 5  # spread over different days
    assert all(article.published_at < now for article in published)

    scheduled = Article.objects.get(status=Article.Status.SCHEDULED)
    assert scheduled.published_at > now
    assert not scheduled.is_published()
    draft = Article.objects.get(status=Article.Status.DRAFT)
    assert draft.published_at is None

    courier, coastline = Site.objects.get(pk=1), Site.objects.get(domain="127.0.0.1")
    assert Article.objects.published().for_site(courier).count() == 4
    # Coastline's own Montréal story plus two syndicated from the Courier.
    assert Article.objects.published().for_site(coastline).count() == 3


def test_seed_demo_adds_one_correction_with_its_revision(seeded):
    correction = Correction.objects.get()
    assert correction.article.slug == "porthaven-harbour-wall-reopens"
    assert "410 metres" in correction.text
    assert correction.revision.number == correction.article.revisions.count() == 3
    assert correction.article.updated_at == correction.created_at


def test_seed_demo_prints_what_it_did_and_a_summary(seeded):
    assert "created  article  localhost  published" in seeded
    assert "Rhiannon Tait/Westmark Photo via Lumen Images" in seeded
    summary = seeded.strip().splitlines()[-1]
    assert SUMMARY.match(summary)
    assert summary.endswith("2 sites, 9 authors, 8 photos, 7 articles (5 published, 1 scheduled, 1 draft).")


def test_seed_demo_twice_creates_nothing_new(seeded, settings):
    before = counts()
    files_before = sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())

    output = run("seed_demo")

    assert counts() == before
    assert sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == files_before
    created, updated, kept = map(int, SUMMARY.search(output).groups())
    assert (created, updated) == (0, 0)
    assert kept > 0
    assert "created" not in output.replace("0 created", "")


def test_seed_demo_keeps_an_editors_site_settings(seeded):
    coastline = Site.objects.get(domain="127.0.0.1")
    services.sites_set_commenting(sites=[coastline], enabled=True)

    run("seed_demo")

    coastline.settings.refresh_from_db()
    assert coastline.settings.comments_enabled is True


def test_demo_pictures_are_deterministic():
    first = demo.picture_bytes("harbour", "PORTHAVEN")
    assert first == demo.picture_bytes("harbour", "PORTHAVEN")
    assert first != demo.picture_bytes("cranes", "GDANSK")


def test_seeded_hosts_show_their_own_site(seeded, client):
    coastline_front = client.get("/", HTTP_HOST="127.0.0.1:8000").content.decode()
    courier_front = client.get("/", HTTP_HOST="localhost:8000").content.decode()
    assert "Montréal tests quieter snow ploughs" in coastline_front
    assert "Montréal tests quieter snow ploughs" not in courier_front
    assert "Citizen scientists help Tromsø" in courier_front

    montreal = Article.objects.get(slug="montreal-quieter-snow-ploughs")
    page = client.get(montreal.get_absolute_url(), HTTP_HOST="127.0.0.1:8000")
    assert page.status_code == 200
    assert "We are temporarily suspending article commenting." in page.content.decode()


# --- ensure_admin ------------------------------------------------------------------------


@pytest.fixture
def no_superuser_env(monkeypatch):
    for name in ("DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_PASSWORD", "DJANGO_SUPERUSER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_ensure_admin_from_environment_creates_then_updates(db, no_superuser_env):
    no_superuser_env.setenv("DJANGO_SUPERUSER_USERNAME", "chief")
    no_superuser_env.setenv("DJANGO_SUPERUSER_PASSWORD", "first pass phrase")

    output = run("ensure_admin")

    assert "Admin login: chief (password from DJANGO_SUPERUSER_PASSWORD)" in output
    assert "first pass phrase" not in output
    user = User.objects.get(username="chief")
    assert user.is_staff and user.is_superuser and user.is_active
    assert user.check_password("first pass phrase")

    user.is_superuser = False
    user.save()
    no_superuser_env.setenv("DJANGO_SUPERUSER_PASSWORD", "second pass phrase")
    output = run("ensure_admin")

    assert "Admin login: chief (password from DJANGO_SUPERUSER_PASSWORD)" in output
    assert User.objects.count() == 1
    user.refresh_from_db()
    assert user.is_superuser
    assert user.check_password("second pass phrase")


def test_ensure_admin_without_environment_creates_admin_with_random_password(db, no_superuser_env):
    output = run("ensure_admin")

    match = re.search(r"Admin login: admin / (\S+) ", output)
    assert match
    user = User.objects.get(username="admin")
    assert user.is_staff and user.is_superuser
    assert user.check_password(match.group(1))
    assert len(match.group(1)) >= 20


def test_ensure_admin_leaves_an_existing_admin_alone(db, no_superuser_env):
    User.objects.create_superuser("admin", "", "kept password")

    output = run("ensure_admin")
    again = run("ensure_admin")

    assert "admin already exists" in output
    assert "manage.py changepassword admin" in output
    assert output == again
    assert User.objects.count() == 1
    assert User.objects.get(username="admin").check_password("kept password")
