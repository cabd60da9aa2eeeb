"""BAK-01..BAK-04 of RELIABILITY.md: backup and restore of the database and media, on a
seeded archive of 1,000 articles (``bak_seed.py``), restored into a fresh database.

The fresh database is a second SQLite file, or a second PostgreSQL database next to the test
database; the restore side runs as ``manage.py`` in a subprocess pointed at it (as an
operator would run it). Timings are checked against ``bak_timings.json`` (BAK-04): a stage
fails past twice its recorded time. ``BAK_RECORD_TIMINGS=1`` writes the measured times
into that file instead (record on the reference machine, then commit it).
"""

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from articles.backup import (
    CHECKSUMS,
    MEDIA,
    backup_create,
    file_sha256,
    media_problems,
    model_digests,
    read_manifest,
    restore_media,
    verify_checksums,
)
from articles.models import Article
from tests.conftest import database_vendor

from .bak_seed import seed_archive
from .dbstate import db_unchanged

BASE_DIR = Path(django_settings.BASE_DIR)
TIMINGS = Path(__file__).with_name("bak_timings.json")
DUMPDATA = ["--natural-foreign", "--natural-primary", "-e", "contenttypes", "-e", "auth.permission", "-e", "sessions"]
DIGESTS = "import json; from articles.backup import model_digests; print(json.dumps(model_digests({})))"
FIRST_CREATE = (
    "from django.contrib.sites.models import Site; from articles import services; "
    "a = services.article_create(site=Site.objects.get(pk=1), headline='After the restore', slug='after-restore'); "
    "print(a.pk)"
)
SMOKE = """
from django.test import Client
from articles.models import Article
article = Article.objects.published().order_by("-published_at").first()
client = Client()
urls = ("/", article.get_absolute_url(), f"/a/{article.pk}/", "/api/v1/articles/", f"/api/v1/articles/{article.pk}/")
for url in (*urls, "/sitemap.xml", "/feeds/rss/", "/healthz"):
    response = client.get(url, HTTP_HOST="localhost", follow=True)
    print(url, response.status_code)
    assert response.status_code == 200, (url, response.status_code)
print("smoke ok")
"""


# --- Fresh databases and manage.py against them -------------------------------------------------


@contextmanager
def fresh_database(tmp_path: Path):
    """Yield the DATABASE_URL of a new, empty database (dropped afterwards)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    name = f"{db['NAME']}_fresh"[:63]
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(*args, url: str, media: Path, check=True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "DATABASE_CONN_MAX_AGE": "0"}
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    if check:
        assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def last_line(result: subprocess.CompletedProcess) -> str:
    return result.stdout.strip().splitlines()[-1]  # `shell` may print its automatic imports first


# --- BAK-04 timings -----------------------------------------------------------------------------


def check_timing(stage: str, seconds: float) -> None:
    """Fail when ``stage`` took more than twice its recorded time (BAK-04)."""
    vendor = database_vendor()
    recorded = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    if os.environ.get("BAK_RECORD_TIMINGS"):
        recorded.setdefault(vendor, {})[stage] = round(seconds, 2)
        TIMINGS.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
        return
    limit = recorded.get(vendor, {}).get(stage)
    assert limit is not None, f"no recorded time for {vendor}/{stage}: run with BAK_RECORD_TIMINGS=1"
    assert seconds <= 2 * limit, f"{stage} took {seconds:.2f} s, more than twice the recorded {limit} s"


@pytest.fixture
def seeded(db):
    counts = seed_archive()
    assert counts["articles"] >= 1000 and counts["images"] >= 12
    assert counts["revisions"] >= 2000 and counts["comments"] >= 2000 and counts["users"] >= 10
    return counts


# --- BAK-01 -------------------------------------------------------------------------------------


def test_bak_01_dumpdata_round_trip_keeps_every_row(seeded, tmp_path):
    dump = tmp_path / "dump.json"
    started = time.perf_counter()
    call_command("dumpdata", *DUMPDATA, "--output", str(dump), verbosity=0)
    before = model_digests(natural_primary=True, milliseconds=True)  # dumpdata's JSON keeps milliseconds
    with fresh_database(tmp_path) as url:
        manage("migrate", "--no-input", url=url, media=tmp_path / "media2")
        manage("loaddata", str(dump), url=url, media=tmp_path / "media2")
        elapsed = time.perf_counter() - started
        after = json.loads(
            last_line(
                manage(
                    "shell", "-c", DIGESTS.format("natural_primary=True, milliseconds=True"), url=url, media=tmp_path
                )
            )
        )
        new_pk = int(last_line(manage("shell", "-c", FIRST_CREATE, url=url, media=tmp_path / "media2")))

    assert {label: d["rows"] for label, d in after.items()} == {label: d["rows"] for label, d in before.items()}
    assert after == before, [label for label in before if before[label] != after.get(label)]
    assert before["articles.article"]["rows"] >= 1000
    assert new_pk > Article.objects.order_by("-pk").values_list("pk", flat=True).first()  # sequences moved on
    check_timing("bak01_dumpdata_round_trip", elapsed)


def test_bak_01_models_round_trip_without_natural_keys_of_their_own():
    """Our models keep their primary keys through dumpdata (none defines ``natural_key``);
    the ones that do (users, groups, sites) are matched by it on load."""
    from django.apps import apps

    ours = [m for m in apps.get_models() if m._meta.app_label in {"articles", "comments"}]
    assert ours and not [m for m in ours if hasattr(m, "natural_key")]
    for label in ("auth.User", "auth.Group", "sites.Site"):
        assert hasattr(apps.get_model(label), "natural_key"), label


# --- BAK-02 -------------------------------------------------------------------------------------


def test_bak_02_media_manifest_restores_every_file(seeded, tmp_path, settings):
    source_root = Path(settings.MEDIA_ROOT)
    assert media_problems(source_root) == {"missing": [], "orphans": []}
    started = time.perf_counter()
    archive = backup_create(tmp_path / "archive").folder
    manifest = read_manifest(archive)
    empty = tmp_path / "restored-media"
    settings.MEDIA_ROOT = str(empty)
    assert verify_checksums(archive) == []
    files, _size = restore_media(archive, empty)
    elapsed = time.perf_counter() - started

    listed = dict(reversed(line.split("  ", 1)) for line in (archive / CHECKSUMS).read_text().splitlines())
    media_listed = {name.removeprefix(f"{MEDIA}/"): digest for name, digest in listed.items() if name.startswith(MEDIA)}
    assert files == manifest["media"]["files"] == len(media_listed) > seeded["images"]  # originals + renditions
    assert media_problems(empty) == {"missing": [], "orphans": []}  # against Image rows and their renditions
    for name, digest in media_listed.items():
        assert file_sha256(empty / name) == digest == file_sha256(source_root / name), name
    check_timing("bak02_media_backup_restore", elapsed)


@pytest.fixture
def small_archive(db):
    return seed_archive(articles=50, images=3)


def test_bak_02_restore_refuses_a_damaged_archive_and_writes_nothing(small_archive, tmp_path, settings):
    archive = backup_create(tmp_path / "archive").folder
    photo = next((archive / MEDIA).rglob("*.jpg"))
    photo.write_bytes(photo.read_bytes()[:-10] + b"0123456789")
    (archive / MEDIA / "stray.txt").write_text("not in the manifest")
    settings.MEDIA_ROOT = str(tmp_path / "empty-media")
    with db_unchanged(), pytest.raises(Exception) as refused:
        call_command("restore", str(archive), "--force")
    message = str(refused.value)
    assert "The archive is damaged; nothing was restored" in message
    assert f"checksum mismatch: {photo.relative_to(archive).as_posix()}" in message
    assert "not in the manifest: media/stray.txt" in message
    assert not (tmp_path / "empty-media").exists()


def test_bak_02_restore_refuses_a_database_in_use(small_archive, tmp_path):
    archive = backup_create(tmp_path / "archive", media=False).folder
    with db_unchanged(), pytest.raises(Exception, match=r"already holds content \(.*articles.article 50"):
        call_command("restore", str(archive))


# --- BAK-03 -------------------------------------------------------------------------------------


@pytest.mark.skipif(database_vendor() != "postgresql", reason="pg_dump/pg_restore: PostgreSQL only (BAK-03)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bak_03_pg_dump_restore_migrate_check_and_smoke(tmp_path):
    seed_archive()
    started = time.perf_counter()
    archive = backup_create(tmp_path / "archive").folder
    assert read_manifest(archive)["database"]["format"] == "pg_dump"
    with fresh_database(tmp_path) as url:
        restored = manage("restore", str(archive), url=url, media=tmp_path / "media-restored")
        elapsed = time.perf_counter() - started
        assert "every model matches the manifest" in restored.stdout
        assert manage("migrate", "--check", url=url, media=tmp_path).returncode == 0
        smoke = manage("shell", "-c", SMOKE, url=url, media=tmp_path / "media-restored")
        assert "smoke ok" in smoke.stdout
        new_pk = int(last_line(manage("shell", "-c", FIRST_CREATE, url=url, media=tmp_path / "media-restored")))
    assert new_pk > Article.objects.order_by("-pk").values_list("pk", flat=True).first()
    check_timing("bak03_pg_dump_restore", elapsed)


# --- BAK-04 -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bak_04_backup_and_restore_commands_within_twice_the_recorded_time(tmp_path, settings):
    """The deliverable end to end: ``manage.py backup`` then ``manage.py restore`` into a fresh
    database and an empty media folder, each timed against ``bak_timings.json``."""
    seed_archive()
    started = time.perf_counter()
    call_command("backup", str(tmp_path / "archive"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    check_timing("bak04_backup_command", time.perf_counter() - started)
    with fresh_database(tmp_path) as url:
        started = time.perf_counter()
        restored = manage("restore", str(tmp_path / "archive"), url=url, media=tmp_path / "media-restored")
        check_timing("bak04_restore_command", time.perf_counter() - started)
    assert "every model matches the manifest" in restored.stdout
    recorded = json.loads(TIMINGS.read_text())[database_vendor()]
    expected = {"bak01_dumpdata_round_trip", "bak02_media_backup_restore", "bak04_backup_command"}
    expected |= {"bak04_restore_command"} | ({"bak03_pg_dump_restore"} if database_vendor() == "postgresql" else set())
    assert expected <= set(recorded)
