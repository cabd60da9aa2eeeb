"""The query plans of every page and API endpoint the benchmark measures, on PostgreSQL.

Each endpoint is requested once through Django's test client with the page and fragment
caches off (so every query it can run is run), its queries are captured, and each is
``EXPLAIN``ed (``--analyze``: ``EXPLAIN ANALYZE``, with the execution time). A sequential
scan of a big table (articles, bylines, article photos, revisions) is flagged: every filter
and ordering the pages and API use must have an index (tests/test_indexes.py asserts it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench_1m \\
        .venv/bin/python bench/explain_queries.py --analyze [--plans]
"""

import argparse
import os
import re
import sys
from pathlib import Path

BIG_TABLES = ("articles_article", "articles_byline", "articles_articleimage", "articles_revision")
_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def setup() -> None:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()


def targets(plan: dict) -> list[tuple[str, str]]:
    """(name, path) of every endpoint to explain, from ``bench.web_targets.pick()``."""
    from urllib.parse import urlencode

    from articles.models import Article, Byline

    article = plan["article"]
    byline = Byline.objects.filter(article=article, author__isnull=False).select_related("author").first()
    tag = article.tags.first()
    day = article.pub_date
    api = "/api/v1/articles/"
    rows = [
        ("article page", plan["article_path"]),
        ("front page", "/"),
        ("month archive", plan["archive_path"]),
        ("day archive", f"/archive/{day:%Y/%m/%d}/"),
        ("year archive", f"/archive/{day:%Y}/"),
        ("search page", f"/search/?{urlencode({'q': plan['search']})}"),
        ("API list", api),
        ("API list, cursor deep", f"{api}?{urlencode({'cursor': plan['cursor']})}"),
        ("API detail", f"{api}{article.pk}/"),
        ("API search", f"{api}?{urlencode({'q': plan['search']})}"),
        ("API change feed", f"{api}?{urlencode({'updated_since': plan['updated_since']})}"),
        ("API site filter", f"{api}?site={article.site_id}"),
        ("API published_after", f"{api}?published_after=2015-01-01T00:00:00Z"),
        ("API revisions", f"{api}{article.pk}/revisions/"),
    ]
    if byline is not None:
        rows += [
            ("author page", f"/authors/{byline.author.slug}/"),
            ("API author filter", f"{api}?author={byline.author.slug}"),
        ]
    if tag is not None:
        rows += [("tag page", f"/tags/{tag.slug}/"), ("API tag filter", f"{api}?tag={tag.slug}")]
    if article.section_id:
        section = Article.objects.select_related("section").get(pk=article.pk).section
        rows += [
            ("section page", f"/sections/{section.slug}/"),
            ("API section filter", f"{api}?section={section.slug}"),
        ]
    return rows


def capture(client, path: str, host: str) -> tuple[int, list[tuple[str, tuple]]]:
    """Request ``path`` with the caches off; return its status and its queries."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection

    queries = []

    def record(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    saved = settings.ARCHIVE_PAGES, settings.ALLOWED_HOSTS
    settings.ARCHIVE_PAGES = {**saved[0], "PAGE_CACHE_TIMEOUT": 0, "FRAGMENT_CACHE_TIMEOUT": 0}
    settings.ALLOWED_HOSTS = [*saved[1], host]
    try:
        cache.clear()
        with connection.execute_wrapper(record):
            status = client.get(path, HTTP_HOST=host).status_code
    finally:
        settings.ARCHIVE_PAGES, settings.ALLOWED_HOSTS = saved
    return status, queries


def explain(sql: str, params, *, analyze: bool, force_index: bool = False) -> tuple[str, float | None]:
    """The plan of one query and, with ``analyze``, its execution time in ms.

    ``force_index``: plan with sequential scans disabled (``enable_seqscan = off``), so a
    Seq Scan left in the plan means no index can serve the query at all; on a small table
    the planner rightly prefers reading it whole, which says nothing about a large one."""
    from django.db import connection

    with connection.cursor() as cursor:
        if force_index:
            cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {'(ANALYZE, BUFFERS) ' if analyze else ''}{sql}", params)
            text = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            if force_index:
                cursor.execute("RESET enable_seqscan")
    found = re.search(r"Execution Time: ([0-9.]+) ms", text)
    return text, float(found[1]) if found else None


def seq_scans(plan_text: str) -> list[str]:
    """The big tables this plan reads whole."""
    return [table for table in _SEQ_SCAN.findall(plan_text) if table in BIG_TABLES]


def run(*, analyze: bool, show_plans: bool = False, search: str | None = None, force_index: bool = False) -> list[dict]:
    """Explain every target; return one row per endpoint (and print a report)."""
    from django.test import Client

    from bench import web_targets

    plan = web_targets.pick(search=search)
    client = Client()
    rows = []
    for name, path in targets(plan):
        status, queries = capture(client, path, plan["host"])
        total, bad, slowest = 0.0, [], (0.0, "")
        for sql, params in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            text, ms = explain(sql, params, analyze=analyze, force_index=force_index)
            bad += [f"Seq Scan on {t}" for t in seq_scans(text)]
            if ms is not None:
                total += ms
                slowest = max(slowest, (ms, text))
            if show_plans:
                print(f"--- {name}: {sql[:200]}\n{text}\n")
        rows.append({"name": name, "path": path, "status": status, "queries": len(queries), "ms": total, "bad": bad})
        timing = f"{total:9.2f} ms" if analyze else ""
        print(f"{name:24} {status:4d} {len(queries):3d} queries {timing}  {', '.join(bad) or 'no seq scan'}")
        if analyze and show_plans is False and slowest[0] > 50:
            print(f"    slowest query plan ({slowest[0]:.1f} ms):\n    " + slowest[1].replace("\n", "\n    "))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--analyze", action="store_true", help="EXPLAIN ANALYZE (runs the queries, shows times)")
    parser.add_argument("--plans", action="store_true", help="print every plan")
    parser.add_argument("--search", help="search term (default: picked like bench/run.py does)")
    parser.add_argument("--force-index", action="store_true", help="plan with enable_seqscan off (see explain())")
    args = parser.parse_args()
    setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("Plans are checked on PostgreSQL: set DATABASE_URL.")
    print(f"{connection.settings_dict['NAME']}: (endpoint, status, queries, time, sequential scans of big tables)")
    run(analyze=args.analyze, show_plans=args.plans, search=args.search, force_index=args.force_index)


if __name__ == "__main__":
    main()
