"""Bake on miss: a page nginx did not find is baked by the Django process that renders it.

After a site-wide swap the new generation is empty; readers' requests fall through to
Django, and each page Django renders fresh for an anonymous reader is written to the
generation that was current *when the request started*. Two rules keep a page rendered
from older data from being served after a change:

- it is written with ``store.write_if_absent`` (a hard link, never a replace), so it never
  overwrites a page baked after a change;
- it is written only if the site's page-cache generations (bumped after every committed
  change, before the change is baked) are the same before the view ran and after the file
  is in place; otherwise the file is taken back (if it is still ours). While the cache is
  down the generations are unknown (``pagecache.known``) and nothing is baked on a miss.

A swap in between is harmless: the page lands in a generation nobody serves any more.
The generations must be shared by every process for this to hold, so baking on miss is on
only with a shared cache (Redis), not with the per-process local-memory cache.
"""

import logging
import os

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from .. import pagecache
from . import bake_root, store
from .render import BAKING, scheme, view_name

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bake_root() is not None and not isinstance(caches["default"], LocMemCache)


def ticket(request):
    """What a request that may be baked must remember before its view runs, or None."""
    if not enabled() or request.method != "GET" or request.META.get("QUERY_STRING") or request.META.get(BAKING):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or request.scheme != scheme():
        return None
    site = request.site
    if request.get_host() != site.domain or view_name(request.path) is None:
        return None
    site_dir = store.host_dir(bake_root(), site.domain)
    if site_dir is None:
        return None
    before = pagecache.generations(site.pk)
    if not pagecache.known(before):  # the cache is down: no way to see a change commit meanwhile
        return None
    return store.current_generation(site_dir), before


def store_page(request, response, ticket) -> bool:
    """Write the page a reader was just served, if it is still current (see above)."""
    generation, before = ticket
    if response.status_code not in (200, 410) or response.streaming or not pagecache._may_store(request, response):
        return False
    try:
        target = store.page_file(
            generation, request.path, response.get("Content-Type", "text/html"), gone=response.status_code == 410
        )
        if not pagecache.known(before) or pagecache.generations(request.site.pk) != before:
            return False
        if any(p.exists() for p in store.page_files(generation, request.path)):
            return False
        if not store.write_if_absent(target, response.content):
            return False
        inode = target.stat().st_ino
        if pagecache.generations(request.site.pk) != before:
            if target.stat().st_ino == inode:  # still ours: a change committed meanwhile
                os.unlink(target)
            return False
        return True
    except Exception:
        logger.exception("Baking %s on a miss failed", request.path)
        return False
