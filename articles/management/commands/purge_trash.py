"""``manage.py purge_trash [--dry-run]``: delete for good the articles withdrawn longer ago
than ``NEWSROOM["TRASH_RETENTION_DAYS"]`` (default 30), with their revisions, bylines,
photos' placements, corrections and comments; photos nothing else uses go too. Their
addresses keep answering 410 (tombstones). Run it daily (cron or a systemd timer); see
``articles.services.trash`` for the rules.
"""

from django.core.management.base import BaseCommand

from articles.services import trash_purge, trash_retention


class Command(BaseCommand):
    help = "Delete articles that have been in the trash (withdrawn) longer than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be deleted; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = trash_purge(dry_run=dry_run)
        days = trash_retention().days
        verb = "Would purge" if dry_run else "Purged"
        if options["verbosity"] > 1:
            for pk in report.articles:
                self.stdout.write(f"article {pk}")
        self.stdout.write(
            f"{verb} {len(report.articles)} article(s) withdrawn more than {days} days ago, "
            f"{report.revisions} revision(s), {len(report.images)} unused image(s) "
            f"({len(report.images_kept)} shared image(s) kept); {report.tombstones} address(es) answer 410."
        )
