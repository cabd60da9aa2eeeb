"""Secondary indexes dropped for a bulk load into empty tables and rebuilt after it.

Keeping the btrees up to date row by row costs more than building them once afterwards (30
btrees: ~2 s for 100,000 articles). The full-text GIN index is another matter on PostgreSQL
15: it is built by one process, while the load computes its tsvectors in every job, so it is
only dropped on request (measured at 100,000 articles on 2 cores, see the command). Only indexes that
guard nothing are dropped: not primary keys, not unique indexes, not indexes behind a
constraint. Their definitions are read from ``pg_indexes.indexdef`` (the migrations stay the
source of truth) and saved, in the same transaction as the drop, in the table
``generate_archive_dropped_indexes``; a rebuild creates each index and deletes its row in one
transaction, then drops that table. So a process killed at any point leaves either the
indexes or their saved definitions, and the next ``generate_archive`` run (or
``generate_archive --restore-indexes``) rebuilds what is missing before anything else.
PostgreSQL only.
"""

import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction

PENDING = "generate_archive_dropped_indexes"

# For the rebuild only (this session): sort in memory and let PostgreSQL add parallel
# workers to each btree build (PostgreSQL 15 builds GIN indexes with one process).
REBUILD_SESSION = (
    "SET maintenance_work_mem = '1GB'",
    "SET max_parallel_maintenance_workers = 4",
)

DROPPABLE_SQL = """
SELECT p.indexname, p.indexdef
FROM pg_index i
JOIN pg_class ci ON ci.oid = i.indexrelid
JOIN pg_class ct ON ct.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ct.relnamespace
JOIN pg_indexes p ON p.schemaname = n.nspname AND p.indexname = ci.relname
WHERE n.nspname = current_schema() AND ct.relname = ANY(%s)
  AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY ct.relname, p.indexname
"""


def droppable(tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes on ``tables`` that a load can do without."""
    with connection.cursor() as cursor:
        cursor.execute(DROPPABLE_SQL, [tables])
        return cursor.fetchall()


def pending() -> list[tuple[str, str]] | None:
    """Indexes dropped by a load and not rebuilt yet (it was killed), or None when no load
    left its table of saved definitions behind."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [PENDING])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT name, definition FROM {PENDING} ORDER BY position")  # noqa: S608 (constant)
        return cursor.fetchall()


class _Undo(Exception):
    pass


def _round_trips(cursor, name: str, definition: str) -> bool:
    """Whether ``definition`` rebuilds an index with that same definition (tried in a
    savepoint, rolled back; the tables are empty). Not always so: PostgreSQL prints
    ``status IN ('a', 'b')`` as ``= ANY ((ARRAY['a'::varchar, …])::text[])``, which it then
    reads back with a cast on each element. Such indexes are kept through the load."""
    try:
        with transaction.atomic():
            cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute(definition)
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %s", [name]
            )
            same = cursor.fetchone() == (definition,)
            raise _Undo
    except _Undo:
        return same


def drop(tables: list[str], *, gin: bool = True) -> list[tuple[str, str]]:
    """Save and drop the droppable indexes of ``tables`` that can be rebuilt exactly, all in
    one transaction; the GIN ones only if ``gin``."""
    with transaction.atomic(), connection.cursor() as cursor:
        found = [
            (name, definition)
            for name, definition in droppable(tables)
            if (gin or " USING gin " not in definition) and _round_trips(cursor, name, definition)
        ]
        if not found:
            return []
        cursor.execute(
            f"CREATE TABLE {PENDING} (position integer NOT NULL, name text NOT NULL, definition text NOT NULL)"
        )
        for position, (name, definition) in enumerate(found):
            cursor.execute(f"INSERT INTO {PENDING} VALUES (%s, %s, %s)", [position, name, definition])  # noqa: S608
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return found


def _cost(item: tuple[str, str]) -> int:
    return 0 if " USING gin " in item[1] else 1  # the slow GIN build first, btrees beside it


def _rebuild_one(name: str, definition: str) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in REBUILD_SESSION:
                cursor.execute(statement.replace("SET ", "SET LOCAL ", 1))
            cursor.execute("SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(definition)
            cursor.execute(f"DELETE FROM {PENDING} WHERE name = %s", [name])  # noqa: S608
    finally:
        connection.close()  # each thread has its own connection


def rebuild(jobs: int = 2) -> tuple[int, float]:
    """Recreate every saved index (``jobs`` at once, each on its own connection), then drop
    the table of saved definitions. Returns (how many, seconds). Interrupted, it still waits
    for the builds already queued (they run in other threads) before it re-raises."""
    started = time.monotonic()
    items = sorted(pending() or [], key=_cost)
    try:
        if items:
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                for future in [pool.submit(_rebuild_one, name, definition) for name, definition in items]:
                    future.result()
    finally:
        if pending() == []:  # every index is back
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {PENDING}")
    return len(items), time.monotonic() - started


def recovery_message(items: list[tuple[str, str]]) -> str:
    sql = "\n".join(f"{definition};" for _name, definition in items)
    return (
        f"{len(items)} indexes dropped for the load were not rebuilt. Run "
        "`manage.py generate_archive --restore-indexes` (any later generate_archive run also "
        f"rebuilds them first), or run this SQL, then DROP TABLE {PENDING}:\n{sql}"
    )
