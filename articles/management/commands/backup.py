"""``manage.py backup DEST [--database-format pg_dump|dumpdata] [--no-media]``: write the
database and the media files into the new archive folder DEST, with ``manifest.json`` and
``MANIFEST.sha256`` (see ``articles.backup`` and docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and media into a new archive folder with a checksum manifest."

    def add_arguments(self, parser):
        parser.add_argument("dest", help="The archive folder to create (it must not exist).")
        parser.add_argument(
            "--database-format",
            choices=["pg_dump", "dumpdata"],
            help="pg_dump -Fc (default on PostgreSQL) or dumpdata JSON (default elsewhere).",
        )
        parser.add_argument("--no-media", action="store_true", help="Leave the media files out.")

    def handle(self, *args, dest, database_format=None, no_media=False, **options):
        try:
            report = backup_create(Path(dest), database_format=database_format, media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(m["rows"] for m in report.models.values())
        self.stdout.write(
            f"Backed up {rows} rows of {len(report.models)} models ({report.database}) and "
            f"{report.media_files} media files ({report.media_bytes} bytes) to {report.folder} "
            f"in {sum(report.seconds.values()):.1f} s."
        )
        if report.media_vanished:
            self.stdout.write(
                f"{len(report.media_vanished)} media file(s) were deleted while the backup ran and are not "
                "in the archive: " + ", ".join(report.media_vanished[:20])
            )
