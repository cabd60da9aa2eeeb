"""Whole-page cache, validators and freshness for the public archive.

Pages are stored on Django's cache framework (Redis in production, local memory in
development) under a key made of the site, a per-site *generation* counter, a global
generation counter, the scheme, the path and the query parameters the page reads. Any
change to what a site's pages show bumps that site's generation (images, authors, tags
and sections bump the global one, since they appear on every site), so every key of the
site changes at once and stale entries are simply never read again; the cache evicts them.
Generations are bumped from signal receivers (``articles/signals.py``) after the
transaction commits.

Only anonymous GET/HEAD requests are served from the cache (a request that carries a
session cookie might see user-specific parts, such as a comment form), and only responses
that set no cookie and did not touch the session or the CSRF token are stored. A stored
page keeps its ``ETag`` (a hash of its bytes) and ``Last-Modified``, so conditional
requests are answered with 304 from the cache without a database query.

Views say how long their page stays true with ``set_freshness(response, seconds)`` (e.g.
until a scheduled article is due or a commenting suspension ends); the cache entry and the
``Cache-Control: public, max-age`` never outlive that.
"""

import hashlib
import math
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date, parse_http_date_safe

GLOBAL = "all"
CACHEABLE_STATUSES = frozenset({200, 410})
# Headers a stored page is served with (the rest are per-response and recomputed).
STORED_HEADERS = ("Content-Type", "Content-Language", "ETag", "Last-Modified", "X-Robots-Tag", "Link")


def _config(name: str):
    return settings.ARCHIVE_PAGES[name]


# --- Generations -----------------------------------------------------------------------


def _generation_key(scope) -> str:
    return f"archive:generation:{scope}"


def generations(site_id: int) -> tuple[int, int]:
    """Return the current ``(global, site)`` generation numbers, starting missing ones.

    A missing counter (first use, or evicted) starts at the current time in nanoseconds,
    which is larger than any value it can have had before, so an eviction never brings
    back an old key. While the cache is unavailable they read 0: unknown, and nothing may
    be cached or baked under them (``known()``).
    """
    _redo_lost_bumps()
    keys = [_generation_key(GLOBAL), _generation_key(site_id)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key, 0)
    return found[keys[0]], found[keys[1]]


def global_generation() -> int:
    """The current global generation (bumped by changes to images, authors, tags and
    sections, which every site shows); the fragment cache keys on it."""
    _redo_lost_bumps()
    key = _generation_key(GLOBAL)
    found = cache.get(key)
    if found is None:
        cache.add(key, time.time_ns(), timeout=None)
        found = cache.get(key, 0)
    return found


def known(generation_numbers) -> bool:
    """Whether generation numbers were read from the cache (0 stands for "unavailable")."""
    return all(generation_numbers)


# A bump this process could not write (the cache was down, or its circuit breaker open,
# cms/cache.py): the cache still holds the old generation, so other processes would serve
# pages older than the commit for up to PAGE_CACHE_TIMEOUT. It is not lost: the next use of
# the generations once the cache answers again bumps the global one, which every page and
# fragment key holds (coarse, but it drops every entry that can be older than the commit).
_lost_bump = threading.Event()


def _bump(scope) -> bool:
    key = _generation_key(scope)
    try:
        cache.incr(key)
        return True
    except ValueError:  # missing: start it (see generations()); or the cache is down
        if cache.add(key, time.time_ns(), timeout=None):
            return True
        try:
            cache.incr(key)  # someone else started it meanwhile
            return True
        except ValueError:
            _lost_bump.set()
            return False


def _redo_lost_bumps() -> None:
    if not _lost_bump.is_set() or not getattr(cache, "available", True):
        return
    _lost_bump.clear()
    _bump(GLOBAL)  # sets the flag again if the cache is still down


def bump_now(site_ids: Iterable[int] = (), *, everywhere: bool = False) -> None:
    """Drop the cached pages of ``site_ids`` (of every site with ``everywhere``) now."""
    _redo_lost_bumps()
    if everywhere:
        _bump(GLOBAL)
    for site_id in set(site_ids):
        _bump(site_id)


def invalidate(
    site_ids: Iterable[int] = (),
    *,
    everywhere: bool = False,
    article_ids: Iterable[int] = (),
    objects: Iterable = (),
    page_only: bool = False,
) -> None:
    """Drop the cached pages of some sites, after the current transaction commits, and bake
    the pages the change touched (``articles.baking.changed``, when baking is on).

    ``article_ids`` adds the sites those articles are published on or syndicated to
    (looked up after the commit). The known sites are also dropped at once, so that the
    writing connection itself (a test wrapped in a transaction, a view that renders after
    writing) does not read its own stale page; the drop after the commit is what protects
    other connections, which could have re-cached the old content in between.
    ``objects`` are shared objects (images, authors, tags, sections) that were edited:
    the baker re-bakes just the articles that show them. ``page_only``: the change shows
    only on the articles' own pages (comments), so the baker re-bakes just those.
    """
    from . import baking

    site_ids = set(site_ids)
    article_ids = set(article_ids)
    noted = baking.note(site_ids, article_ids=article_ids, everywhere=everywhere, objects=objects, page_only=page_only)
    bump_now(site_ids, everywhere=everywhere)

    def after_commit():
        sites = set(site_ids)
        if article_ids:
            sites |= _sites_of_articles(article_ids)
        bump_now(sites, everywhere=everywhere)
        baking.flush(noted)  # after the bump: a page baked on a miss meanwhile is dropped

    transaction.on_commit(after_commit, robust=True)


def _sites_of_articles(article_ids: set[int]) -> set[int]:
    from .models import Article

    rows = Article.objects.filter(pk__in=article_ids).values_list("site_id", "sites__id")
    return {site_id for pair in rows for site_id in pair if site_id is not None}


# --- Freshness -------------------------------------------------------------------------


def set_freshness(response: HttpResponse, seconds: float | None) -> HttpResponse:
    """Declare that ``response`` stays true for at most ``seconds`` (None: no limit)."""
    if seconds is not None:
        current = getattr(response, "archive_fresh_for", None)
        response.archive_fresh_for = max(0, seconds if current is None else min(current, seconds))
    return response


def latest(*moments) -> datetime | None:
    found = [moment for moment in moments if moment is not None]
    return max(found) if found else None


def set_last_modified(response, moment: datetime | None):
    """Set ``Last-Modified`` to ``moment`` (whole seconds), if there is one."""
    if moment is not None:
        response["Last-Modified"] = http_date(moment.timestamp())
    return response


def seconds_until(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else (moment - now).total_seconds()


def _public_max_age(response, seconds_left: float | None) -> None:
    max_age = _config("MAX_AGE")
    if seconds_left is not None:
        max_age = min(max_age, math.floor(seconds_left))
    patch_cache_control(response, public=True, max_age=max(0, max_age))


# --- The decorator ---------------------------------------------------------------------


def archive_page(view=None, *, params: tuple[str, ...] = ("page",), store: bool = True):
    """Serve a public page from the page cache, with ETag, Last-Modified, 304 and
    ``Cache-Control: public, max-age``.

    ``params`` are the query parameters the page reads; others do not make a new cache
    entry (``?utm_source=…`` gets the same page). ``store=False`` keeps the validators and
    headers but never caches the page (pages made from arbitrary input, such as search).
    Views set ``Last-Modified`` themselves (from the data they show) and may call
    ``set_freshness``.
    """

    def decorator(view):
        from .baking import miss as baking_miss  # bake on miss (articles/baking/miss.py)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            key = _page_key(request, params) if store and _may_use_cache(request) else None
            if key is not None:
                entry = cache.get(key)
                if entry is not None:
                    return _conditional(request, _from_entry(entry))
            bake_ticket = baking_miss.ticket(request) if key is not None else None
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response.render()
            if response.status_code not in CACHEABLE_STATUSES or response.streaming:
                return response
            if not response.has_header("ETag"):
                set_response_etag(response)
            fresh_for = getattr(response, "archive_fresh_for", None)
            _public_max_age(response, fresh_for)
            if key is not None and _may_store(request, response):
                timeout = _config("PAGE_CACHE_TIMEOUT")
                if fresh_for is not None:
                    timeout = min(timeout, math.floor(fresh_for))
                if timeout > 0:
                    cache.set(key, _to_entry(response, timeout), timeout)
            if bake_ticket is not None:
                baking_miss.store_page(request, response, bake_ticket)
            return _conditional(request, response)

        return wrapper

    return decorator(view) if view is not None else decorator


def _may_use_cache(request) -> bool:
    return (
        request.method in {"GET", "HEAD"}
        and not request.META.get("newsroom.baking")  # the baker renders from the database
        and _config("PAGE_CACHE_TIMEOUT") > 0
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _may_store(request, response) -> bool:
    """Whether ``response`` is the same for every anonymous reader."""
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "").lower()
    vary = response.get("Vary", "").lower()
    return not (
        response.cookies
        or (session is not None and session.accessed)
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or "private" in cache_control
        or "no-store" in cache_control
        or "cookie" in vary
        or "*" in vary
    )


def _page_key(request, params: tuple[str, ...]) -> str | None:
    global_generation, site_generation = generations(request.site.pk)
    if not known((global_generation, site_generation)):
        return None  # the cache is down: an entry stored now could outlive the next change
    query = "&".join(f"{name}={value}" for name in params for value in request.GET.getlist(name))
    address = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    return ":".join(
        [
            "archive:page",
            str(_config("PAGE_CACHE_VERSION")),
            str(request.site.pk),
            str(global_generation),
            str(site_generation),
            request.scheme,
            address,
        ]
    )


def _to_entry(response, timeout: int) -> dict:
    return {
        "status": response.status_code,
        "content": response.content,
        "headers": {name: response[name] for name in STORED_HEADERS if response.has_header(name)},
        "expires": time.time() + timeout,
    }


def _from_entry(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    _public_max_age(response, entry["expires"] - time.time())
    return response


def _conditional(request, response):
    """Answer 304 when the client already has this version (like ConditionalGetMiddleware)."""
    if response.status_code != 200:
        return response
    etag = response.get("ETag")
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    if etag or last_modified:
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
    return response
