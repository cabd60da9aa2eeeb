"""Writing batches: COPY on PostgreSQL (psycopg 3), ``bulk_create`` elsewhere. One
transaction per batch; ids are explicit, and the sequences are moved past them at the end.
"""

import contextlib
import json
import multiprocessing
import signal
from collections import Counter
from datetime import date

from django.core.management.color import no_style
from django.db import connection, connections, transaction

from ..models import Article
from .batch import COLUMNS, JSON_COLUMNS, TABLE_ORDER, BatchWriter
from .plan import Batch, Context
from .setup import MODELS

# Session settings for the load on PostgreSQL (this connection only): compress long
# values and the WAL's page images with LZ4 (several times faster than the default pglz,
# about as small for text); do not wait for the WAL flush at each batch's commit (a crash
# loses at most the last batches, nothing half-written); and let the full-text index's
# pending list grow to 64 MB so that it is merged into the index in fewer, larger steps.
PG_SESSION = (
    "SET default_toast_compression = 'lz4'",
    "SET synchronous_commit = off",
    "SET gin_pending_list_limit = '64MB'",
    "SET work_mem = '256MB'",
)
PG_SUPERUSER_SESSION = ("SET wal_compression = 'lz4'",)


def check_columns() -> None:
    """Fail early if the models grew a column the generator does not fill."""
    for table, model in MODELS.items():
        expected = {f.column for f in model._meta.concrete_fields}
        given = {model._meta.get_field(name).column for name in COLUMNS[table]}
        if expected != given:
            raise RuntimeError(f"generate_archive: {model._meta.db_table} columns changed: {expected ^ given}")


def existing_urls(ctx: Context, batch: Batch) -> set:
    """(site, date, slug) already taken in the database on the batch's days (appending)."""
    first = ctx.first_day.toordinal() + batch.days[0][0] - 2
    last = ctx.first_day.toordinal() + batch.days[-1][0] + 2
    rows = Article.objects.filter(
        pub_date__gte=date.fromordinal(first), pub_date__lte=date.fromordinal(last)
    ).values_list("site_id", "pub_date", "slug")
    return set(rows)


def _copy_batch(rows) -> None:
    with connection.cursor() as cursor:
        for statement in PG_SESSION:
            cursor.execute(statement)
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            for statement in PG_SUPERUSER_SESSION:
                cursor.execute(statement)
        for table in TABLE_ORDER:
            data = rows.tables[table]
            if not data:
                continue
            model = MODELS[table]
            columns = [model._meta.get_field(name).column for name in COLUMNS[table]]
            json_at = [COLUMNS[table].index(name) for name in JSON_COLUMNS.get(table, ())]
            sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(sql) as copy:
                if json_at:
                    for row in data:
                        row = list(row)
                        for i in json_at:
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                        copy.write_row(row)
                else:
                    for row in data:
                        copy.write_row(row)


@contextlib.contextmanager
def explicit_timestamps():
    """Let ``bulk_create`` keep the generated ``created_at``/``modified_at`` values instead
    of stamping them with the current time (auto_now, auto_now_add)."""
    changed = []
    for model in MODELS.values():
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                changed.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in changed:
            f.auto_now, f.auto_now_add = now, now_add


def _bulk_batch(rows) -> None:
    for table in TABLE_ORDER:
        model = MODELS[table]
        names = [model._meta.get_field(name).attname for name in COLUMNS[table]]
        objects = [model(**dict(zip(names, row, strict=True))) for row in rows.tables[table]]
        model.objects.bulk_create(objects, batch_size=500)


def write_batch(ctx: Context, pool, batch: Batch, *, append: bool) -> Counter:
    """Generate and store one batch in its own transaction; return its counts."""
    taken = existing_urls(ctx, batch) if append else None
    rows = BatchWriter(ctx, pool, batch, taken).run()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy_batch(rows)
        else:
            with explicit_timestamps():
                _bulk_batch(rows)
    counts = Counter(rows.statuses)
    counts.update({f"rows:{table}": len(data) for table, data in rows.tables.items()})
    return counts


# --- Parallel loading (PostgreSQL) ------------------------------------------------------

_WORKER: dict = {}


def table_names() -> list[str]:
    return [MODELS[table]._meta.db_table for table in TABLE_ORDER]


def _worker_init() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: terminate() must end us


def _worker_batch(batch: Batch) -> Counter:
    return write_batch(_WORKER["ctx"], _WORKER["pool"], batch, append=_WORKER["append"])


def run_batches(ctx: Context, pool, plan: list[Batch], *, append: bool, jobs: int):
    """Yield the counts of each batch as it is stored, with ``jobs`` processes at once
    (each with its own database connection) on PostgreSQL."""
    if jobs <= 1 or connection.vendor != "postgresql" or len(plan) < 2:
        for batch in plan:
            yield write_batch(ctx, pool, batch, append=append)
        return
    _WORKER.update(ctx=ctx, pool=pool, append=append)
    connections.close_all()  # children open their own connections after the fork
    workers = multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_init)
    try:
        yield from workers.imap_unordered(_worker_batch, plan)
    except BaseException:
        workers.terminate()
        raise
    else:
        workers.close()  # the workers exit normally, closing their connections
    finally:
        workers.join()


def finish(*, analyze: bool = True) -> None:
    """Move the id sequences past the generated ids; refresh the planner's statistics."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(MODELS.values()))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        if analyze and connection.vendor == "postgresql":
            for model in MODELS.values():
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        elif analyze:
            cursor.execute("ANALYZE")
