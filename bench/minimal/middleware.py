"""Bench-only request hooks, switched on per request by a header (wrk sends them only where
the benchmark says so; other requests pass through untouched).

- ``X-Bench-Queries: 1`` (``QueryCountMiddleware``, first in the stack so it sees every
  query) counts the SQL queries the request ran and answers them in the
  ``X-Bench-Query-Count`` response header.
- ``X-Bench-Page-Cache: miss`` (``PageCacheMissMiddleware``, last, after the site is known)
  bumps the request site's page-cache generation before the view runs, so the page cache
  misses: the request pays exactly what a real miss costs in production (generation
  look-up, cache read, rendering, cache write) plus one Redis ``INCR``; the per-article
  fragments (``articles/fragments.py``) stay warm, as after a change to another article.
- ``X-Bench-Page-Cache: cold`` bumps the global generation instead, which every page-cache
  and fragment key holds: the page and its fragments are all rendered afresh, as after an
  edit of a photo or an author shown everywhere.
"""

from django.db import connection

from articles import pagecache


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.headers.get("X-Bench-Queries") != "1":
            return self.get_response(request)
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Query-Count"] = str(count)
        return response


class PageCacheMissMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        mode = request.headers.get("X-Bench-Page-Cache")
        if mode == "miss":
            pagecache.bump_now([request.site.pk])
        elif mode == "cold":
            pagecache.bump_now(everywhere=True)
        return self.get_response(request)
