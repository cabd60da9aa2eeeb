"""``manage.py export_articles [--format jsonl|ninjs|warc] [--out PATH] [--site DOMAIN]``.

- ``jsonl`` (default): the complete backup — every article in every state with all its
  revisions, corrections, bylines, photos' metadata and old addresses; ``import_articles``
  restores it into an empty database.
- ``ninjs``: IPTC ninjs 3.1, as one JSON array (or one ``<id>.json`` per article when
  ``--out`` is a directory). Published articles only, unless ``--all``.
- ``warc``: a gzipped web archive of the published articles' public pages, rendered by the
  site itself, and their pictures.

Articles are read in chunks (``iterator(chunk_size=…)``) and written one at a time, so
memory does not grow with the archive. A file given with ``--out`` is written under a
temporary name and renamed when complete: an interrupted export never leaves a truncated
file that looks finished. Without ``--out`` (or with ``-``) the export goes to standard
output and progress to standard error.
"""

import json
import os
import sys
from pathlib import Path

from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError

from articles.exporters.jsonl import backup_queryset, write_jsonl
from articles.exporters.ninjs import article_ninjs, site_base_url, write_ninjs
from articles.exporters.warc import write_warc
from articles.models import Article
from articles.progress import Progress

CHUNK_SIZE = 500


class Command(BaseCommand):
    help = "Export articles as a JSON Lines backup, IPTC ninjs 3.1, or a web archive (WARC) of their pages."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["jsonl", "ninjs", "warc"], default="jsonl")
        parser.add_argument(
            "--out", default="-", metavar="PATH", help="File (or, for ninjs, directory) to write; - for stdout."
        )
        parser.add_argument("--site", metavar="DOMAIN", help="Only articles of this site (its own or syndicated).")
        parser.add_argument(
            "--all", action="store_true", help="ninjs: include drafts, scheduled and withdrawn articles."
        )
        parser.add_argument(
            "--scheme", choices=["https", "http"], default="https", help="Scheme of the absolute URLs written."
        )

    def handle(self, *args, **options):
        articles = Article.objects.all()
        if options["site"]:
            site = Site.objects.filter(domain=options["site"]).first()
            if site is None:
                raise CommandError(f"No site with the domain “{options['site']}”.")
            articles = articles.for_site(site)
        fmt, out = options["format"], options["out"]
        to_stdout = out in {"", "-"}
        progress_stream = self.stderr if to_stdout else self.stdout
        if fmt == "jsonl":
            queryset = backup_queryset(articles)
        elif fmt == "ninjs":
            if not options["all"]:
                articles = articles.published()
            queryset = articles.with_listing_relations().prefetch_related("corrections").order_by("pk")
        else:
            queryset = articles.published().prefetch_related("placements__image").select_related("site")
            queryset = queryset.order_by("pk")
        total = queryset.count()
        progress = Progress(stream=progress_stream, total=total, statuses=("exported", "failed"), noun="articles")
        rows = queryset.iterator(chunk_size=CHUNK_SIZE)
        scheme = options["scheme"]

        if fmt == "ninjs" and not to_stdout and Path(out).is_dir():
            self.ninjs_files(rows, Path(out), scheme=scheme, progress=progress)
        elif to_stdout:
            self.write(fmt, rows, sys.stdout.buffer if fmt == "warc" else self.stdout._out, total, scheme, progress)
        else:
            target = Path(out)
            partial = target.with_name(target.name + ".part")
            mode = {"mode": "wb"} if fmt == "warc" else {"mode": "w", "encoding": "utf-8"}
            try:
                with open(partial, **mode) as stream:
                    self.write(fmt, rows, stream, total, scheme, progress)
                os.replace(partial, target)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        summary = progress.close()
        if not to_stdout:
            self.stdout.write(f"Wrote {fmt} to {out}.")
        if progress.counts["failed"]:
            raise CommandError(f"{progress.counts['failed']} pages could not be rendered ({summary}).")

    def write(self, fmt, rows, stream, total, scheme, progress):
        if fmt == "jsonl":
            write_jsonl(rows, stream, count=total, on_item=lambda a: progress.item("exported"))
        elif fmt == "ninjs":
            write_ninjs(
                rows,
                stream,
                base_url_for=lambda a: site_base_url(a.site, scheme),
                on_item=lambda a: progress.item("exported"),
            )
        else:

            def page_done(article, status):
                if status == 200:
                    progress.item("exported")
                else:
                    progress.item("failed", f"FAILED    article {article.pk}: its page answered {status}")

            write_warc(rows, stream, scheme=scheme, on_item=page_done)

    def ninjs_files(self, rows, folder: Path, *, scheme: str, progress: Progress):
        for article in rows:
            target = folder / f"{article.pk}.json"
            partial = target.with_name(target.name + ".part")
            partial.write_text(
                json.dumps(article_ninjs(article, base_url=site_base_url(article.site, scheme)), ensure_ascii=False),
                encoding="utf-8",
            )
            os.replace(partial, target)
            progress.item("exported")
