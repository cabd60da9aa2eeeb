"""Backup and restore under the conditions an operator meets: an archive made before a
migration, a restore with ``--force`` that fails half-way, a backup taken while the site
writes (review fixes to BAK-01..04; helpers from ``test_bak``)."""

import shutil
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection

from articles import backup, services
from articles.backup import CHECKSUMS, MEDIA, backup_create, read_manifest, restore_archive, restore_media
from articles.models import Article
from tests.conftest import database_vendor

from .bak_seed import seed_archive
from .test_bak import fresh_database, last_line, manage

postgresql_only = pytest.mark.skipif(
    database_vendor() != "postgresql", reason="pg_dump/pg_restore and snapshots: PostgreSQL only"
)

# Code as of migration articles 0009 had no Tombstone model: back up without it.
OLD_BACKUP = """
from pathlib import Path
from unittest import mock
from articles import backup, services
real = backup.backed_up_models
older = lambda: [m for m in real() if m._meta.label_lower != "articles.tombstone"]
with mock.patch.object(backup, "backed_up_models", older):
    backup.backup_create(Path({folder!r}))
print("backed up")
"""
STATE = """
from articles.models import Article, Tombstone
print(Article.objects.filter(slug="before-the-migration").count(), Tombstone.objects.count())
"""
TOMBSTONE = (
    "from articles.models import Tombstone; "
    "Tombstone.objects.create(article_id=999, site_id=1, pub_date='2026-01-02', slug='newer-data')"
)
CREATE = (
    "from django.contrib.sites.models import Site; from articles import services; "
    "services.article_create(site=Site.objects.get(pk=1), headline='Before', slug='before-the-migration')"
)


@postgresql_only
def test_restore_an_archive_made_before_a_migration(tmp_path):
    """The archive's schema lacks a table of a later migration (articles 0010): restored over
    a migrated database holding that table (with --force) and into an empty database, then
    migrated, with no table or row of the newer schema left over."""
    archive = tmp_path / "archive"
    media = tmp_path / "media"
    with fresh_database(tmp_path) as url:
        manage("migrate", "--no-input", url=url, media=media)
        manage("migrate", "articles", "0009", "--no-input", url=url, media=media)
        manage("shell", "-c", CREATE, url=url, media=media)
        manage("shell", "-c", OLD_BACKUP.format(folder=str(archive)), url=url, media=media)
        assert "articles" in read_manifest(archive)["database"]["migrations"]
        assert read_manifest(archive)["database"]["migrations"]["articles"] == "0009_editors_delete_images"
        manage("migrate", "--no-input", url=url, media=media)
        manage("shell", "-c", TOMBSTONE, url=url, media=media)  # a row only the newer schema holds

        restored = manage("restore", str(archive), "--force", url=url, media=media)
        assert "every model matches the manifest" in restored.stdout
        assert manage("migrate", "--check", url=url, media=media).returncode == 0
        assert last_line(manage("shell", "-c", STATE, url=url, media=media)) == "1 0"

    with fresh_database(tmp_path) as url:
        restored = manage("restore", str(archive), url=url, media=tmp_path / "media-empty")
        assert "every model matches the manifest" in restored.stdout
        assert manage("migrate", "--check", url=url, media=media).returncode == 0
        assert last_line(manage("shell", "-c", STATE, url=url, media=media)) == "1 0"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the restore is the outermost transaction
def test_forced_restore_with_a_failing_load_keeps_the_previous_rows(tmp_path):
    from django.contrib.sites.models import Site

    site = Site.objects.get(pk=1)
    seed_archive(articles=20, images=1)
    archive = backup_create(tmp_path / "archive", database_format="dumpdata", media=False).folder
    newer = services.article_create(site=site, headline="Written after the backup", slug="after-the-backup")
    before = backup.model_digests()
    real = backup.call_command

    def failing_load(name, *args, **kwargs):
        if name == "loaddata":
            raise DatabaseError("injected: the load fails")
        return real(name, *args, **kwargs)

    with mock.patch("articles.backup.call_command", failing_load), pytest.raises(DatabaseError, match="injected"):
        restore_archive(archive, force=True, media=False)
    assert Article.objects.filter(pk=newer.pk).exists()
    assert Article.objects.count() == 21
    assert backup.model_digests() == before


def test_forced_media_restore_with_a_failing_copy_keeps_the_previous_files(db, tmp_path, settings):
    seed_archive(articles=5, images=3)
    archive = backup_create(tmp_path / "archive", database_format="dumpdata").folder
    root = tmp_path / "live-media"
    (root / "photos").mkdir(parents=True)
    (root / "photos" / "current.jpg").write_bytes(b"the photo in use")
    real, calls = shutil.copy2, []

    def failing_copy(src, dst, *args, **kwargs):
        calls.append(src)
        if len(calls) == 2:
            raise OSError(28, "injected: no space left on device")
        return real(src, dst, *args, **kwargs)

    with mock.patch("articles.backup.shutil.copy2", failing_copy), pytest.raises(OSError, match="injected"):
        restore_media(archive, root, force=True)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == ["photos/current.jpg"]
    assert (root / "photos" / "current.jpg").read_bytes() == b"the photo in use"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("live-media")] == ["live-media"]

    files, _size = restore_media(archive, root, force=True)  # and without a failure: replaced
    assert files == read_manifest(archive)["media"]["files"] > 2
    assert not (root / "photos" / "current.jpg").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("live-media")] == ["live-media"]


def test_backup_leaves_out_a_media_file_deleted_during_the_copy(db, tmp_path, settings):
    seed_archive(articles=5, images=3)
    root = Path(settings.MEDIA_ROOT)
    listed = backup.media_files(root)
    gone = listed[1]
    real = shutil.copy2

    def delete_then_copy(src, dst, *args, **kwargs):
        if Path(src) == root / gone:
            Path(src).unlink()  # an editor deletes the photo meanwhile
        return real(src, dst, *args, **kwargs)

    with mock.patch("articles.backup.shutil.copy2", delete_then_copy):
        report = backup_create(tmp_path / "archive", database_format="dumpdata")
    manifest = read_manifest(report.folder)
    assert report.media_vanished == manifest["media"]["vanished"] == [gone]
    assert manifest["media"]["files"] == report.media_files == len(listed) - 1
    assert backup.verify_checksums(report.folder) == []
    assert f"{MEDIA}/{gone}" not in (report.folder / CHECKSUMS).read_text()


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pg_dump_and_the_manifest_read_one_snapshot(tmp_path):
    """A row committed by the running site between the dump and the digests is in neither:
    the archive restores and matches its own manifest."""
    import psycopg

    seed_archive(articles=20, images=1)
    db = connection.settings_dict
    real = backup.model_digests

    def site_writes_then_digests(**kwargs):
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
        ) as other:
            other.execute("INSERT INTO auth_group (name) VALUES ('Written during the backup')")
        return real(**kwargs)

    with mock.patch("articles.backup.model_digests", site_writes_then_digests):
        archive = backup_create(tmp_path / "archive").folder
    assert Group.objects.filter(name="Written during the backup").exists()
    assert read_manifest(archive)["database"]["models"]["auth.group"]["rows"] == Group.objects.count() - 1
    with fresh_database(tmp_path) as url:
        restored = manage("restore", str(archive), url=url, media=tmp_path / "media-restored")
    assert "every model matches the manifest" in restored.stdout
