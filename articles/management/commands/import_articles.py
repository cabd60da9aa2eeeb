"""``manage.py import_articles PATH... [--site DOMAIN] [--publish] [--user NAME]``.

Imports text captures (.txt), saved HTML pages (.html), ninjs (.json, or .jsonl one object
a line), web archives (.warc, .warc.gz) and backups made by ``export_articles --format
jsonl``; a directory is searched for those files. Each article is written in its own
transaction through the services, so a bad item (or an interrupted run) leaves nothing
half-written, and the run can simply be repeated: a source already imported is updated
(one new revision) or reported unchanged, never duplicated.

One line per item (created, updated, unchanged, skipped, FAILED with the reason), a
progress bar on a terminal, and a one-line summary. The exit status is 1 when any item
failed (after every other item was imported), 0 otherwise.
"""

from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError

from articles.importers import FAILED, STATUSES, Restorer, Result, run_item
from articles.importers.sources import count_items, expand, iter_items
from articles.progress import Progress


class Command(BaseCommand):
    help = (
        "Import articles from text captures, saved HTML pages, ninjs JSON, web archives (WARC) and JSON Lines "
        "backups. Re-importing a source updates its article instead of duplicating it."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or directories to import.")
        parser.add_argument(
            "--site",
            metavar="DOMAIN",
            help="Import into this site (by domain). Default: the default site; a backup keeps its own sites.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish imported drafts at their original publication time. Drafts that fail the "
            "publication checks (no byline, no alt text…) are kept as drafts and reported.",
        )
        parser.add_argument("--user", metavar="USERNAME", help="Record revisions as made by this user.")

    def handle(self, *args, **options):
        site = None
        if options["site"]:
            site = Site.objects.filter(domain=options["site"]).first()
            if site is None:
                raise CommandError(f"No site with the domain “{options['site']}”.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user “{options['user']}”.")
        verbosity = options["verbosity"]
        files = expand(options["paths"])
        progress = Progress(stream=self.stdout, total=count_items(files), statuses=STATUSES, noun="items")
        restorer = Restorer(site=site)
        for item in iter_items(files):
            result = run_item(item, site=site, publish=options["publish"], user=user, restorer=restorer)
            progress.item(result.status, self.describe(result) if verbosity >= 1 or result.status == FAILED else None)
            for warning in result.warnings:
                progress.line(f"  warning: {warning}")
        summary = progress.close()
        failed = progress.counts[FAILED]
        if failed:
            raise CommandError(f"{failed} of {progress.done} items failed ({summary}).")

    def describe(self, result: Result) -> str:
        if result.status == FAILED:
            return self.style.ERROR(f"FAILED    {result.label}: {result.reason}")
        if result.article is None:
            return f"{result.status:<9} {result.label}: {result.reason}"
        article = result.article
        return f"{result.status:<9} {result.label} → article {article.pk} “{article.headline[:60]}” ({article.status})"
