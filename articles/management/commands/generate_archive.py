"""``manage.py generate_archive --articles N [--sites K] [--seed S] [--append] [--jobs J]``:
fill the database with a realistic, deterministic archive for benchmarks.

Output depends only on the seed, N, K and the anchor date (``--until``, today by default):
two runs with the same values write the same rows, ids included. The articles table must
be empty unless ``--append`` is given; appending continues the ids after the largest ones
and keeps every URL unique. Nothing is written when the command refuses.
"""

import os
import signal
import threading
import time
from collections import Counter
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from articles.generate import indexes, load, plan, setup
from articles.models import Article
from articles.progress import Progress

STATUSES = ("published", "scheduled", "draft", "withdrawn")
ROW_LABELS = (
    ("article", "articles"), ("revision", "revisions"), ("byline", "bylines"), ("image", "images"),
    ("placement", "placements"), ("tag", "article tags"), ("site", "syndications"), ("correction", "corrections"),
)  # fmt: skip


class BatchProgress(Progress):
    def add(self, counts: Counter) -> None:
        for status in STATUSES:
            self.counts[status] += counts.get(status, 0)
        self._tick()


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate a deterministic archive of N articles (with bylines, photos, tags, revisions and "
        "corrections) over 20 years, for benchmarks. Refuses a non-empty archive unless --append."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=positive, help="How many articles to make (required).")
        parser.add_argument("--sites", type=positive, default=2, help="How many sites (1–5, default 2).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            help="Last day of the archive, YYYY-MM-DD (default today, UTC); scheduled articles come after it.",
        )
        parser.add_argument("--append", action="store_true", help="Add to an archive that already has articles.")
        parser.add_argument(
            "--jobs",
            type=positive,
            default=None,
            help="Batches generated and stored at once, each by its own process and connection "
            "(PostgreSQL only; default: one per CPU, at most 4).",
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="Keep every index during the load instead of dropping the secondary ones and "
            "rebuilding them after it (PostgreSQL; the default drops them into an empty archive).",
        )
        parser.add_argument(
            "--drop-search-index",
            action="store_true",
            help="Also drop the full-text GIN index for the load and build it once after it "
            "(PostgreSQL 15 builds it with one process: slower at 100,000 articles on 2 cores).",
        )
        parser.add_argument(
            "--restore-indexes",
            action="store_true",
            help="Only rebuild the indexes a killed run dropped for its load (PostgreSQL), then stop.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        postgres = connection.vendor == "postgresql"
        if postgres:
            self.restore_dropped_indexes(options["jobs"] or 2)
        if options["restore_indexes"]:
            return
        count, sites = options["articles"], options["sites"]
        if count is None:
            raise CommandError("--articles is required.")
        if sites > len(setup.w.SITES):
            raise CommandError(f"--sites must be between 1 and {len(setup.w.SITES)}.")
        existing = Article.objects.count()
        if existing and not options["append"]:
            raise CommandError(
                f"The database already has {existing} articles; nothing was written. "
                "Use an empty database, or --append to add to it."
            )
        load.check_columns()
        if options["jobs"] is None:
            options["jobs"] = min(4, os.cpu_count() or 1) if connection.vendor == "postgresql" else 1
        ctx = setup.build_context(
            seed=options["seed"], count=count, sites=sites, anchor=plan.anchor_for(options["until"])
        )
        pool = setup.sentence_pool(ctx)
        batches = plan.batches(ctx)
        self.stdout.write(
            f"Generating {count} articles on {len(ctx.sites)} sites, {ctx.first_day} to {ctx.anchor.date()} "
            f"(+{plan.FUTURE_DAYS} days scheduled), seed {ctx.seed}, {len(batches)} batches, "
            f"{len(ctx.persons)} people, {len(ctx.tags)} tags, {len(ctx.pictures)} shared pictures "
            f"({connection.vendor}, {options['jobs']} job(s))."
        )
        progress = BatchProgress(stream=self.stdout, total=count, statuses=STATUSES, noun="articles")
        totals: Counter = Counter()
        # Into empty tables, load without the secondary btrees (and, on request, the GIN index)
        # and build them once at the end (always, even when the load fails or is interrupted).
        # Not when appending: the load then looks up existing URLs, and rebuilding would
        # re-read the whole archive. 100,000 articles, 2 busy cores (load average ~4): 116 s
        # with every index, 97 s without the btrees, 119 s without the GIN index too.
        dropped = (
            indexes.drop(load.table_names(), gin=options["drop_search_index"])
            if postgres and not (options["append"] or options["keep_indexes"])
            else []
        )
        if dropped:
            self.stdout.write(f"Dropped {len(dropped)} secondary indexes for the load; they are rebuilt after it.")
        loading = time.monotonic()
        try:
            with terminate_as_interrupt():
                for counts in load.run_batches(ctx, pool, batches, append=options["append"], jobs=options["jobs"]):
                    totals.update(counts)
                    progress.add(counts)
            progress.close()
            self.stdout.write(f"Loaded in {time.monotonic() - loading:.1f} s.")
        finally:
            if dropped:
                self.restore_dropped_indexes(options["jobs"])
        self.stdout.write("Resetting sequences and analysing tables…")
        load.finish()
        rows = ", ".join(f"{totals[f'rows:{key}']} {label}" for key, label in ROW_LABELS)
        states = ", ".join(f"{totals[s]} {s}" for s in STATUSES)
        self.stdout.write(self.style.SUCCESS(f"Generated {rows} ({states}) in {time.monotonic() - started:.1f} s."))

    def restore_dropped_indexes(self, jobs: int) -> None:
        items = indexes.pending()
        if items is None:
            return
        if items:
            self.stdout.write(f"Rebuilding {len(items)} indexes dropped for the load…")
        try:
            with terminate_as_interrupt():
                built, seconds = indexes.rebuild(jobs=jobs)
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt):
                self.stderr.write("Interrupted; the indexes already being rebuilt were finished.")
            try:
                left = indexes.pending()
            except Exception:
                left = items
            if left:
                self.stderr.write(indexes.recovery_message(left))
            raise
        if built:
            self.stdout.write(f"Rebuilt {built} indexes in {seconds:.1f} s.")


class terminate_as_interrupt:
    """Within the block, SIGTERM (``kill``) raises KeyboardInterrupt like Ctrl-C does, so the
    ``finally`` clauses that rebuild dropped indexes still run (main thread only)."""

    def __enter__(self):
        main = threading.current_thread() is threading.main_thread()
        self.previous = signal.signal(signal.SIGTERM, self._raise) if main else None

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)

    @staticmethod
    def _raise(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
