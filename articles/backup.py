"""Whole-site backup and restore: the database and the media files, in one archive folder
with a checksum manifest (``manage.py backup`` / ``manage.py restore``; docs/backup.md).

An archive folder holds::

    manifest.json      what was saved: database vendor and format, migrations, rows and a
                       sha256 per model, media file count and bytes
    MANIFEST.sha256    one "<sha256>  <path>" line per file (``sha256sum -c`` reads it)
    database.pgdump    PostgreSQL: ``pg_dump -Fc`` (restored with ``pg_restore``)
    database.xml       other databases: ``dumpdata --format xml --natural-foreign``
                       (``loaddata``); XML keeps timestamps' microseconds, JSON keeps
                       milliseconds only
    media/…            every file of the media storage (originals, renditions, logos)

Rows keep their primary keys (article ids are public in ``/a/<id>/``), so only foreign
keys to rows that every database makes for itself (content types, permissions) are
written as natural keys. Restoring refuses a database or media folder that already holds
content unless forced, and checks every checksum before it writes anything.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

ARCHIVE_FORMAT = "newsroom-archive"
ARCHIVE_VERSION = 1
MANIFEST = "manifest.json"
CHECKSUMS = "MANIFEST.sha256"
PG_DUMP = "database.pgdump"
XML_DUMP = "database.xml"
MEDIA = "media"
# Rows every database makes for itself (migrate's post_migrate) and per-login state.
NOT_BACKED_UP = ("contenttypes", "auth.permission", "sessions")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive or the target cannot be used; the message says why. Nothing was written."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- What the database holds ---------------------------------------------------------------


def backed_up_models() -> list:
    """Models whose rows a backup carries (M2M links travel with their model's rows)."""
    skip_apps = {label for label in NOT_BACKED_UP if "." not in label}
    skip_models = {label for label in NOT_BACKED_UP if "." in label}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in skip_apps
        and model._meta.label_lower not in skip_models
        and model._meta.managed
        and not model._meta.proxy
    ]


def _normalised(obj: dict, *, natural_primary: bool) -> dict:
    fields = dict(obj["fields"])
    for name, value in fields.items():
        if isinstance(value, list):  # many-to-many: the database's order is not the data
            fields[name] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    keep_pk = "pk" in obj and not (natural_primary and hasattr(apps.get_model(obj["model"]), "natural_key"))
    return {"model": obj["model"], **({"pk": obj["pk"]} if keep_pk else {}), "fields": fields}


def model_digests(
    *, natural_primary: bool = False, milliseconds: bool = False, using: str = "default"
) -> dict[str, dict]:
    """``{"app.model": {"rows": n, "sha256": …}}`` of every backed-up model's rows, serialized
    as ``dumpdata`` writes them (natural foreign keys), so two databases holding the same
    data give the same digests even where content types or permissions have other ids.
    With ``natural_primary`` the primary keys of models with a natural key are left out
    (``dumpdata --natural-primary``: those rows get new ids when loaded). With
    ``milliseconds`` times are written as ``dumpdata``'s JSON writes them (to the
    millisecond); otherwise in full."""
    encoder = DjangoJSONEncoder if milliseconds else None
    digests = {}
    for model in backed_up_models():
        digest, rows = hashlib.sha256(), 0
        natural = [
            f.name for f in model._meta.concrete_fields if f.is_relation and hasattr(f.related_model, "natural_key")
        ]
        m2m = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
        queryset = model._base_manager.using(using).order_by("pk").select_related(*natural).prefetch_related(*m2m)
        for start in range(0, queryset.count(), 2000):
            chunk = serializers.serialize(
                "python", queryset[start : start + 2000], use_natural_foreign_keys=True, use_natural_primary_keys=False
            )
            for obj in chunk:
                row = _normalised(obj, natural_primary=natural_primary)
                line = json.dumps(row, sort_keys=True, cls=encoder, default=None if encoder else str)
                digest.update(line.encode("utf-8", "surrogatepass") + b"\n")
                rows += 1
        digests[model._meta.label_lower] = {"rows": rows, "sha256": digest.hexdigest()}
    return digests


def content_rows() -> dict[str, int]:
    """Rows of what editors and readers made (not rows migrations seed): non-zero means the
    database is in use and a restore would overwrite it."""
    labels = [m for m in backed_up_models() if m._meta.app_label in {"articles", "comments"}]
    labels = [m for m in labels if m._meta.label_lower != "articles.sitesettings"]
    labels.append(apps.get_model("auth", "User"))
    tables = set(connection.introspection.table_names())
    counts = {m._meta.label_lower: m._base_manager.count() for m in labels if m._meta.db_table in tables}
    return {label: n for label, n in counts.items() if n}


def applied_migrations() -> dict[str, str]:
    latest = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("id").values_list("app", "name"):
        latest[app] = name
    return latest


# --- Media ---------------------------------------------------------------------------------


def media_root() -> Path:
    if not hasattr(default_storage, "path"):
        raise BackupError("The media storage is not a local folder; back it up with the object store's own tools.")
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> list[str]:
    """Paths (relative, with /) of every file under ``root``."""
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def expected_media() -> set[str]:
    """Every file the database points at: images and their renditions, logos, author photos."""
    names = set()
    for model in apps.get_models():
        file_fields = [
            f.name for f in model._meta.concrete_fields if f.get_internal_type() in ("FileField", "ImageField")
        ]
        for field_name in file_fields:
            names.update(
                n for n in model._base_manager.exclude(**{field_name: ""}).values_list(field_name, flat=True) if n
            )
    image = apps.get_model("articles", "Image")
    for renditions in image.objects.exclude(renditions=[]).values_list("renditions", flat=True):
        names.update(entry["name"] for entry in renditions if entry.get("name"))
    return names


# --- Archive -------------------------------------------------------------------------------


def _pg_env() -> dict:
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    env["PGUSER"] = db["USER"] or "postgres"
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)  # noqa: S603 - fixed argv
    if result.returncode:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def write_checksums(folder: Path, names: Iterable[str]) -> None:
    lines = [f"{file_sha256(folder / name)}  {name}\n" for name in sorted(names)]
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")


@dataclass
class ArchiveReport:
    folder: Path
    database: str = ""
    models: dict = field(default_factory=dict)
    media_files: int = 0
    media_bytes: int = 0
    media_vanished: list = field(default_factory=list)  # deleted between the listing and the copy
    seconds: dict = field(default_factory=dict)


@contextmanager
def _snapshot():
    """On PostgreSQL outside a transaction: a REPEATABLE READ transaction whose snapshot is
    exported; yields its id for ``pg_dump --snapshot`` (what this connection reads inside
    sees the same data as the dump). Elsewhere, or inside a transaction already begun
    (tests), yields ``None`` and changes nothing."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield None
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        yield snapshot


def _timed(report: ArchiveReport, step: str, started: float) -> None:
    report.seconds[step] = round(timezone.now().timestamp() - started, 3)


def backup_create(folder: Path, *, database_format: str | None = None, media: bool = True) -> ArchiveReport:
    """Write an archive of the database (and media) into the new folder ``folder``.

    ``database_format`` is ``"pg_dump"`` (the default on PostgreSQL: one consistent
    snapshot, taken while the site runs) or ``"dumpdata"`` (any database). The folder is
    written under a temporary name and renamed when complete, so a folder with a manifest
    is always a whole archive.
    """
    folder = Path(folder)
    if folder.exists():
        raise BackupError(f"{folder} already exists; give a new folder name.")
    fmt = database_format or ("pg_dump" if connection.vendor == "postgresql" else "dumpdata")
    if fmt == "pg_dump" and connection.vendor != "postgresql":
        raise BackupError("pg_dump needs PostgreSQL; use --database-format dumpdata.")
    work = folder.with_name(folder.name + ".partial")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    report = ArchiveReport(folder=folder, database=fmt)
    started = timezone.now().timestamp()
    with _snapshot() as snapshot:
        # The dump, the digests and the migrations are read in one snapshot on PostgreSQL
        # (pg_dump imports this transaction's), so the manifest describes the dump even
        # while the site writes.
        if fmt == "pg_dump":
            dump = work / PG_DUMP
            _run([
                "pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={dump}",
                *([f"--snapshot={snapshot}"] if snapshot else []), connection.settings_dict["NAME"],
            ])  # fmt: skip
        else:
            dump = work / XML_DUMP
            call_command(
                "dumpdata",
                format="xml",
                natural_foreign=True,
                exclude=list(NOT_BACKED_UP),
                output=str(dump),
                verbosity=0,
            )
        _timed(report, "database", started)
        started = timezone.now().timestamp()
        report.models = model_digests()
        migrations = applied_migrations()
        _timed(report, "digests", started)
    names = [dump.name]
    started = timezone.now().timestamp()
    if media:
        root = media_root()
        for name in media_files(root):
            target = work / MEDIA / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(root / name, target)
            except FileNotFoundError:  # deleted since the listing (the site runs): not in the archive
                report.media_vanished.append(name)
                continue
            report.media_files += 1
            report.media_bytes += target.stat().st_size
            names.append(f"{MEDIA}/{name}")
    _timed(report, "media", started)
    started = timezone.now().timestamp()
    write_checksums(work, names)
    manifest = {
        "format": ARCHIVE_FORMAT,
        "version": ARCHIVE_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": {
            "vendor": connection.vendor,
            "format": fmt,
            "file": dump.name,
            "migrations": migrations,
            "models": report.models,
        },
        "media": {
            "included": media,
            "files": report.media_files,
            "bytes": report.media_bytes,
            "vanished": report.media_vanished,
        },
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    _timed(report, "checksums", started)
    work.rename(folder)
    return report


# --- Restore -------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} is not an archive: it has no {MANIFEST}.") from None
    except ValueError as error:
        raise BackupError(f"{folder / MANIFEST} is not valid JSON: {error}") from None
    if manifest.get("format") != ARCHIVE_FORMAT or manifest.get("version") != ARCHIVE_VERSION:
        raise BackupError(f"{folder} is not a {ARCHIVE_FORMAT} version {ARCHIVE_VERSION} archive.")
    return manifest


def verify_checksums(folder: Path) -> list[str]:
    """Every problem with the archive's files: missing, changed, or not in the manifest."""
    folder = Path(folder)
    listed = {}
    try:
        text = (folder / CHECKSUMS).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [f"{CHECKSUMS} is missing"]
    for number, line in enumerate(text.splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name or name.startswith("/") or ".." in Path(name).parts:
            return [f"{CHECKSUMS} line {number} is malformed"]
        listed[name] = digest
    problems = []
    for name, digest in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"missing: {name}")
        elif file_sha256(path) != digest:
            problems.append(f"checksum mismatch: {name}")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    problems += [f"not in the manifest: {name}" for name in sorted(present - set(listed) - {CHECKSUMS, MANIFEST})]
    return problems


def restore_media(folder: Path, root: Path, *, force: bool = False) -> tuple[int, int]:
    """Copy the archive's media files into ``root``; return (files, bytes). The archive's
    checksums must have been verified. With ``force`` the files are copied into a sibling
    folder first, which then takes ``root``'s place (the old folder is removed only after):
    a copy that fails leaves ``root`` as it was."""
    source, count, size = Path(folder) / MEDIA, 0, 0
    replace = force and root.exists()
    target_root = root.with_name(root.name + ".restoring") if replace else root
    if replace and target_root.exists():
        shutil.rmtree(target_root)
    try:
        for name in media_files(source):
            target = target_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target)
            count, size = count + 1, size + target.stat().st_size
    except BaseException:
        if replace:
            shutil.rmtree(target_root, ignore_errors=True)
        raise
    if replace:
        target_root.mkdir(exist_ok=True)
        old = root.with_name(root.name + ".replaced")
        if old.exists():
            shutil.rmtree(old)
        root.rename(old)
        target_root.rename(root)
        shutil.rmtree(old)
    return count, size


def _pg_restore_into_empty_schema(dump: Path) -> None:
    """Replace the ``public`` schema with the dump's, in one transaction: ``pg_restore``
    writes the dump as SQL (into a temporary file), then ``psql -1`` runs ``DROP SCHEMA
    public CASCADE; CREATE SCHEMA public`` and that SQL. A restore that fails leaves the
    database as it was. (``pg_restore --clean`` drops only what the dump holds: tables of
    later migrations would survive, with their rows, and make the following ``migrate``
    fail.)"""
    with tempfile.TemporaryDirectory(prefix="newsroom-restore-") as scratch:
        script = Path(scratch) / "database.sql"
        _run(["pg_restore", "--no-owner", "--no-acl", f"--file={script}", str(dump)])
        _run([
            "psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", "--output=/dev/null",
            "--command=DROP SCHEMA IF EXISTS public CASCADE", "--command=CREATE SCHEMA public",
            f"--file={script}", f"--dbname={connection.settings_dict['NAME']}",
        ])  # fmt: skip


def media_problems(root: Path) -> dict[str, list[str]]:
    """Files the database points at that are missing from ``root``, and files in ``root``
    nothing points at (orphans)."""
    expected, present = expected_media(), set(media_files(root))
    return {"missing": sorted(expected - present), "orphans": sorted(present - expected)}


def restore_archive(folder: Path, *, force: bool = False, media: bool = True) -> ArchiveReport:
    """Restore an archive into this database (and media storage). Checks first, writes after:
    the manifest and every checksum, the database vendor, and that neither the database nor
    the media folder holds content (unless ``force``). Then loads, migrates (an archive from
    older code is brought up to date), and compares every model's rows and digest with the
    manifest; a difference raises ``BackupError``."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = verify_checksums(folder)
    if problems:
        raise BackupError("The archive is damaged; nothing was restored:\n  " + "\n  ".join(problems))
    database = manifest["database"]
    if database["format"] == "pg_dump" and connection.vendor != "postgresql":
        raise BackupError("This archive holds a PostgreSQL dump; restore it into PostgreSQL.")
    in_use = content_rows()
    if in_use and not force:
        listed = ", ".join(f"{label} {n}" for label, n in sorted(in_use.items()))
        raise BackupError(f"The database already holds content ({listed}); use --force to replace it.")
    root = media_root() if media and manifest["media"]["included"] else None
    if root is not None and media_files(root) and not force:
        raise BackupError(f"The media folder {root} is not empty; use --force to replace its files.")

    report = ArchiveReport(folder=folder, database=database["format"])
    started = timezone.now().timestamp()
    if database["format"] == "pg_dump":
        # Into an empty schema (content was refused above unless forced), then migrate: an
        # archive made before a migration is brought up to date.
        _pg_restore_into_empty_schema(folder / database["file"])
        connection.close()  # the schema was replaced under this connection
        call_command("migrate", verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0, interactive=False)  # an empty database gets its tables
        with transaction.atomic():  # a load that fails leaves the previous rows
            call_command("flush", verbosity=0, interactive=False)  # seeded rows come back from the dump
            call_command("loaddata", str(folder / database["file"]), verbosity=0)
    _timed(report, "database", started)
    if root is not None:
        started = timezone.now().timestamp()
        report.media_files, report.media_bytes = restore_media(folder, root, force=force)
        _timed(report, "media", started)
    started = timezone.now().timestamp()
    report.models = model_digests()
    _timed(report, "verify", started)
    differ = [
        label
        for label, saved in database["models"].items()
        if report.models.get(label) != saved and label in report.models
    ]
    if differ:
        raise BackupError("Restored, but these models differ from the archive: " + ", ".join(differ))
    return report
