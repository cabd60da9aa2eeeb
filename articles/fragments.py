"""Fragment cache: the expensive, per-article parts of article pages and API answers.

The profile of an uncached article page and of the API list (docs/performance.md, "Profile
findings") shows most of the time going to what only changes when the article does: the
rendered headline, photos and body of the page (sanitised body, figures, ``srcset``), its
structured data, and the API's nested serialization. Those parts are cached per article
under a key made of everything they show:

- the article row's ``version`` and ``modified_at`` (every save, by any path, changes
  ``modified_at``; bylines, photos, corrections, tags and syndication sites are only
  written together with a save of the article);
- the global page-cache generation (``pagecache``), which every change to an image, an
  author, a tag or a section bumps: what an article shows of those shared rows;
- the site settings' ``version`` and ``updated_at`` (time zone, publisher name), the
  article's site's domain and name, and the request's scheme, host and site (absolute
  URLs).

What changes by itself or per reader is never cached here: the commenting state (it opens
and closes with time), the approved comment count and the comments, the comment form.

Hits skip the relations' prefetch queries altogether: callers load the article rows alone
and prefetch bylines, photos, tags and corrections only for the misses
(``prefetch_missing``).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects

from . import pagecache

# Part of every key: bump when what a fragment holds changes shape (a template or a
# serializer field), so that old entries are never read.
FRAGMENT_VERSION = "1"
# The end of a key made while the global generation was unknown: such a fragment could
# outlive the next change, so it is never stored or read.
UNCACHED = ":uncached"


def timeout() -> int:
    """Seconds a fragment is kept (0: fragments off). Defaults to the page cache's."""
    pages = settings.ARCHIVE_PAGES
    return pages.get("FRAGMENT_CACHE_TIMEOUT", pages["PAGE_CACHE_TIMEOUT"])


def key(kind: str, article, request, generation: int, *extra) -> str:
    """The cache key of fragment ``kind`` of ``article`` as seen by ``request``;
    ``generation`` is ``pagecache.global_generation()`` (read once per request)."""
    site = article.site
    parts = (
        FRAGMENT_VERSION,
        settings.ARCHIVE_PAGES["PAGE_CACHE_VERSION"],
        article.pk,
        article.version,
        article.modified_at.isoformat() if article.modified_at else "",
        generation,
        site.domain,
        site.name,
        request.scheme,
        request.get_host(),
        request.site.pk,
        request.site.domain,
        *extra,
    )
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).hexdigest()
    if not generation:  # the cache is down (pagecache.known): neither read nor store
        return f"archive:fragment:{kind}:{article.pk}:{digest}{UNCACHED}"
    return f"archive:fragment:{kind}:{article.pk}:{digest}"


def generation() -> int:
    return pagecache.global_generation()


def get_many(keys: list[str]) -> dict:
    keys = [key for key in keys if not key.endswith(UNCACHED)]
    return cache.get_many(keys) if keys and timeout() > 0 else {}


def set_many(entries: dict) -> None:
    entries = {key: value for key, value in entries.items() if not key.endswith(UNCACHED)}
    seconds = timeout()
    if not entries or seconds <= 0:
        return
    if len(entries) == 1:
        [(key, value)] = entries.items()
        cache.set(key, value, seconds)
    else:
        cache.set_many(entries, seconds)


def prefetch_missing(articles, lookups) -> None:
    """Prefetch ``lookups`` for ``articles`` (the misses), in one query per lookup."""
    if articles:
        prefetch_related_objects(list(articles), *lookups)
