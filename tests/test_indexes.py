"""Every filter and ordering the pages and the API use has an index (PostgreSQL).

A generated archive of a few thousand articles is loaded (``generate_archive``, as the
benchmark does), analysed, and every endpoint the benchmark measures (plus the author,
tag, section, site and date filters) is requested with the page and fragment caches off;
each of its queries is EXPLAINed (bench/explain_queries.py). Plans are made with
sequential scans disabled: at this size the planner rightly reads small tables whole, so
what is asserted is that an index *can* serve every query, with no Seq Scan left on the
big tables (articles, bylines, article photos, revisions), and that the list queries use
the index made for them. docs/performance.md ("Indexes") has the plans and timings at
1,000,000 articles.
"""

import pytest
from django.core.management import call_command
from django.db import connection

from bench import explain_queries, web_targets

from .conftest import database_vendor

pytestmark = pytest.mark.skipif(
    database_vendor() != "postgresql",
    reason="query plans are checked on PostgreSQL (set DATABASE_URL); SQLite has no comparable planner",
)

ARTICLES = 3000
# Endpoint → an index one of its queries must use. (Which index serves the change feed,
# search and section pages is a cost choice that differs between this size and a million
# rows: docs/performance.md has the plans at scale.)
EXPECTED_INDEXES = {
    "front page": "article_released_order",
    "API list": "article_released_order",
    "API list, cursor deep": "article_released_order",
    "month archive": "article_pub_date",
}


@pytest.fixture
def archive(db):
    call_command(
        "generate_archive",
        "--articles",
        str(ARTICLES),
        "--jobs",
        "1",
        "--keep-indexes",
        "--until",
        "2026-06-30",
        verbosity=0,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return web_targets.pick()


def test_every_benchmark_query_has_an_index(archive, client):
    found_bad, found_missing, statuses = [], [], {}
    for name, path in explain_queries.targets(archive):
        status, queries = explain_queries.capture(client, path, archive["host"])
        statuses[name] = status
        plans = [
            explain_queries.explain(sql, params, analyze=False, force_index=True)[0]
            for sql, params in queries
            if sql.lstrip().upper().startswith("SELECT")
        ]
        found_bad += [f"{name} ({path}): Seq Scan on {t}" for p in plans for t in explain_queries.seq_scans(p)]
        expected = EXPECTED_INDEXES.get(name)
        if expected and not any(expected in p for p in plans):
            found_missing.append(f"{name} ({path}) does not use {expected}")
    assert set(statuses.values()) == {200}, statuses
    assert {"front page", "API list", "API change feed", "API search", "author page", "tag page"} <= set(statuses)
    assert not found_bad, "\n".join(found_bad)
    assert not found_missing, "\n".join(found_missing)

    # A cursor page starts its index scan at the cursor (an Index Cond), instead of reading
    # and filtering every row before it.
    path = f"/api/v1/articles/?cursor={archive['cursor']}"
    status, queries = explain_queries.capture(client, path, archive["host"])
    assert status == 200
    page_query = next(q for q in queries if "LIMIT 21" in q[0] and "ORDER BY" in q[0])
    plan, _ms = explain_queries.explain(*page_query, analyze=False, force_index=True)
    scan = next(line for line in plan.splitlines() if "article_released_order" in line)
    conditions = plan[plan.index(scan) :].splitlines()[1]
    assert "Index Cond" in conditions and "published_at <=" in conditions
