"""``manage.py restore FROM [--force] [--no-media]``: restore an archive written by
``manage.py backup``. Every checksum is verified before anything is written; a database or
media folder that already holds content is refused unless ``--force``; after loading, each
model's rows and digest are compared with the manifest (see docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, restore_archive


class Command(BaseCommand):
    help = "Restore the database and media from an archive folder written by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="FROM", help="The archive folder.")
        parser.add_argument(
            "--force", action="store_true", help="Replace a database and media folder that already hold content."
        )
        parser.add_argument("--no-media", action="store_true", help="Restore the database only.")

    def handle(self, *args, source, force=False, no_media=False, **options):
        try:
            report = restore_archive(Path(source), force=force, media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(m["rows"] for m in report.models.values())
        self.stdout.write(
            f"Restored {rows} rows of {len(report.models)} models ({report.database}) and "
            f"{report.media_files} media files from {source} in {sum(report.seconds.values()):.1f} s; "
            "every model matches the manifest."
        )
