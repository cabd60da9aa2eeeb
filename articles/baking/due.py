"""Pages that change with time alone, baked by ``bake_archive --due`` (cron, every minute).

No save happens when a scheduled or embargoed article becomes public, a commenting
suspension ends, comments close N days after publication, a comment form's signed token
nears its expiry, or a new day begins in a site's time zone (date archives gain a "next"
link; a new year changes every page's "Archive" link). Each run, since the previous one:

1. a site whose suspension ended, or whose local year changed, gets a new generation
   (``Baker.swap``); one whose local date changed re-bakes the archives of the old date;
2. articles that became public are baked with their lists (``Baker.bake_article``);
3. the article pages noted in the current generation's schedule are baked again;
4. the newest ``REFILL`` articles of each site missing from its generation are baked
   (after a swap, the pages most read come back within minutes; older ones are baked
   on a miss, or by ``bake_archive --all``);
5. generations replaced more than ``KEEP_OLD`` seconds ago are deleted.

The moment of the previous run is kept in ``<root>/.due.json`` (a first run looks back
one hour).
"""

import fcntl
import json
import time
from datetime import datetime, timedelta

from django.contrib.sites.models import Site
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from . import Baker, _archive_paths, sites_of, store

REFILL = 200  # newest articles per site checked for a missing page on each run
KEEP_OLD = 600  # seconds an old generation stays on disk (readers may still have it open)
STATE = ".due.json"
LOCK = ".due.lock"


def _load(baker: Baker) -> dict:
    try:
        return json.loads((baker.root / STATE).read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _save(baker: Baker, state: dict) -> None:
    store.write_atomic(baker.root / STATE, json.dumps(state, sort_keys=True).encode())


def bake_due(baker: Baker, *, site_ids=None, now: datetime | None = None) -> bool:
    """Bake what time alone changed since the previous run (see the module docstring).
    Return False, doing nothing, while another run holds the lock (a slow run and the next
    minute's cron)."""
    baker.root.mkdir(parents=True, exist_ok=True)
    with open(baker.root / LOCK, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        _bake_due(baker, site_ids=site_ids, now=now)
        return True


def _bake_due(baker: Baker, *, site_ids=None, now: datetime | None = None) -> None:
    from ..models import Article, SiteSettings

    now = now or timezone.now()
    state = _load(baker)
    last = datetime.fromisoformat(state["last"]) if "last" in state else now - timedelta(hours=1)
    dates = state.setdefault("dates", {})
    sites = Site.objects.order_by("pk")
    if site_ids:
        sites = sites.filter(pk__in=site_ids)
    settings_of = {s.site_id: s for s in SiteSettings.objects.filter(site__in=sites)}
    for site in sites:
        site_settings = settings_of.get(site.pk) or SiteSettings(site_id=site.pk)
        today = timezone.localtime(now, site_settings.tzinfo).date()
        seen = dates.get(str(site.pk))
        dates[str(site.pk)] = today.isoformat()
        until = site_settings.comments_suspended_until
        new_year = seen is not None and seen[:4] != str(today.year)
        if (until is not None and last < until <= now) or new_year:
            baker.swap([site])
        elif seen is not None and seen != today.isoformat():
            for path in _archive_paths(datetime.fromisoformat(seen).date()):
                baker.bake(site, path)

    release = Greatest("published_at", Coalesce("embargo_until", "published_at"))
    released = (
        Article.objects.published(now=now)
        .annotate(release=release)
        .filter(release__gt=last, release__lte=now)
        .select_related("site")
        .prefetch_related("sites")
    )
    if site_ids:
        released = released.filter(Q(site__in=site_ids) | Q(sites__in=site_ids)).distinct()
    for article in released:
        baker.bake_article(article, [s for s in sites_of(article) if not site_ids or s.pk in site_ids])

    for site in sites:
        site_dir, generation = baker.generation(site)
        if generation is None:
            continue
        for path in store.take_due(site_dir, generation, time.time()):
            baker.bake(site, path)
        newest = Article.objects.published(now=now).for_site(site).filter(pub_date__isnull=False).select_related("site")
        for article in newest.order_by("-published_at", "-pk")[:REFILL]:
            path = article.get_absolute_url()
            if not any(p.exists() for p in store.page_files(generation, path)):
                baker.bake_article(article, [site])
        for old in store.old_generations(site_dir, older_than=KEEP_OLD):
            store.remove_tree(old)
            baker.counts["deleted generations"] = baker.counts.get("deleted generations", 0) + 1
        store.drop_schedules(site_dir, keep=generation)

    state["last"] = now.isoformat()
    _save(baker, state)
