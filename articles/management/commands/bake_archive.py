"""``manage.py bake_archive [--site ID] [--all [--swap] | --due | --article ID]``.

Bakes public pages to ``ARCHIVE_PAGES["BAKE_ROOT"]`` (``ARCHIVE_BAKE_ROOT``) for nginx:

- ``--all``: every article page (200 or 410), date archive, the front page and the feeds
  of each site (or of ``--site``), streamed in constant memory; only files whose bytes
  changed are rewritten. ``--swap`` starts an empty generation first (after a template
  change: pages not baked yet fall through to Django meanwhile).
- ``--due``: what time alone changed since the previous run (articles that became public,
  suspensions that ended, comment forms due for a fresh token, a new day); for cron, every
  minute. Also deletes replaced generations.
- ``--article ID``: one article, as after a save.

Prints the counts and the time taken; exits with an error when pages failed.
"""

from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError

from articles import baking
from articles.baking import due, full
from articles.models import Article
from articles.progress import Progress


class Command(BaseCommand):
    help = "Bake public archive pages to static files for nginx (ARCHIVE_BAKE_ROOT)."

    def add_arguments(self, parser):
        parser.add_argument("--site", type=int, metavar="ID", help="Only this site (its id).")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--all", action="store_true", help="Every baked page of the site(s).")
        what.add_argument("--due", action="store_true", help="What time alone changed (cron, every minute).")
        what.add_argument("--article", type=int, metavar="ID", help="One article, its lists and feeds.")
        parser.add_argument("--swap", action="store_true", help="With --all: start from an empty generation.")

    def handle(self, *args, **options):
        root = baking.bake_root()
        if root is None:
            raise CommandError("Baking is off: set ARCHIVE_BAKE_ROOT to the folder nginx serves.")
        if options["swap"] and not options["all"]:
            raise CommandError("--swap goes with --all.")
        sites = Site.objects.order_by("pk")
        if options["site"] is not None:
            sites = sites.filter(pk=options["site"])
            if not sites.exists():
                raise CommandError(f"No site with id {options['site']}.")
        progress = Progress(stream=self.stdout, statuses=("written", "unchanged", "removed", "failed"), noun="pages")
        baker = baking.Baker(root, progress=progress)
        if options["all"]:
            for site in sites:
                full.bake_site(baker, site, swap=options["swap"])
        elif options["due"]:
            if not due.bake_due(baker, site_ids=[s.pk for s in sites] if options["site"] is not None else None):
                self.stdout.write("Another bake_archive --due is running; nothing done.")
                return
        else:
            article = Article.objects.select_related("site").filter(pk=options["article"]).first()
            if article is None:
                raise CommandError(f"No article with id {options['article']}.")
            on = [s for s in baking.sites_of(article) if options["site"] is None or s.pk == options["site"]]
            baker.bake_article(article, on)
        progress.close()
        self.stdout.write(f"Baked to {root}: {baker.summary()}")
        if baker.counts["failed"]:
            raise CommandError(f"{baker.counts['failed']} pages could not be baked (see the log).")
