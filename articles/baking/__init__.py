"""The baked archive: public pages rendered to static files that nginx serves directly.

Why our own baker and not django-bakery or django-distill: both are built around a full
build of a site from view classes (``build_queryset``, ``distill_path`` generators), render
views without the middleware and the ``Host`` a reader sends, and have no notion of one
change touching a handful of pages, of several sites in one tree, of 410 pages or of an
atomic switch of a whole site. What we need is small: run the real view through Django's
request handling (``render.py``), write the bytes atomically (``store.py``), and know what a
change touches (here). That knowledge already lives in one place, ``pagecache.invalidate``,
which notes each change (``note()``) and bakes them all once after the commit (``flush()``).

What a change bakes:

- an article (saved, published, withdrawn, a byline, photo placement or correction
  changed): its page on every site it is on, the front page, both feeds, and the
  day, month and year archives of its date; the pages at its old addresses are removed
  (Django answers those with a 301);
- a comment approved or taken down: just the article's page (no list or feed shows comments);
- a shared object edited (a photo's credit, an author's name, a tag, a section): the same
  for every article showing it (more than ``SWAP_OVER`` articles: the sites are swapped, below);
- a site-wide change (site settings, the commenting notice or switch) or a deletion whose
  rows are gone: the site gets a new, empty generation (``store.new_generation``) with its
  front page and feeds; every other page falls through to Django until it is baked again
  (on a cache miss, by ``bake_archive --due`` for the newest articles, or ``--all``). The
  swap is O(1) whatever the number of articles, and no stale page survives it.

Every page is rendered; a 200 or 410 is written, anything else (404 for an unpublished
article, 301 at an old slug) removes the page's files. Failures are logged and never reach
the save that triggered them.

Two bakes of one page can overlap (two editors, two processes). Each change bumps the page
cache generations after its commit and before its bake, so a bake that sees the generations
move while it rendered renders again: the last file written is never older than the last
commit (with a shared cache; with the per-process local-memory cache, within one process).
"""

import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.sites.models import Site
from django.urls import reverse

from .. import pagecache
from . import store
from .render import ARTICLE_VIEW, render, view_name

logger = logging.getLogger(__name__)

RETRIES = 3  # renders of one page while changes keep committing under it
# A shared object shown by more articles than this swaps their sites instead: the bake runs
# in the request that saved it, and each article costs about four renders.
SWAP_OVER = 25
HOT_PAGES = ("articles:front", "articles:feed-rss", "articles:feed-atom")
CACHEABLE = (200, 410)
GONE_FROM_HERE = (301, 302, 404)  # not public (any more) at this address: Django answers


def bake_root() -> Path | None:
    """The baking root (``ARCHIVE_PAGES["BAKE_ROOT"]``), or None when baking is off."""
    root = settings.ARCHIVE_PAGES.get("BAKE_ROOT")
    return Path(root) if root else None


class Baker:
    """One baking pass: bakes each (site, path) at most once and counts what it did."""

    def __init__(self, root: Path, *, progress=None):
        self.root = root
        self.done: set[tuple[int, str]] = set()
        self.counts = {"written": 0, "unchanged": 0, "removed": 0, "failed": 0, "skipped": 0}
        self.started = time.monotonic()
        self.progress = progress  # an articles.progress.Progress, for commands
        self.swapped: set[int] = set()  # sites given a new generation in this pass

    # --- one page ------------------------------------------------------------------

    def generation(self, site: Site) -> tuple[Path, Path] | tuple[None, None]:
        site_dir = store.host_dir(self.root, site.domain)
        if site_dir is None:
            return None, None
        return site_dir, store.current_generation(site_dir)

    def bake(self, site: Site, url_path: str, *, remember: bool = True) -> str:
        """Render ``url_path`` on ``site`` and write or remove its file; return what happened.

        A remembered page is not baked twice in one pass (a full bake of a million articles
        does not remember them, to run in constant memory)."""
        key = (site.pk, url_path)
        if key in self.done:
            return "skipped"
        if remember:
            self.done.add(key)
        for _attempt in range(RETRIES):
            before = pagecache.generations(site.pk)
            outcome = self._bake(site, url_path)
            # Another change to the site committed while this page was rendered (its own
            # bake may have written first): render again, so the last write is the newest.
            if outcome == "failed" or pagecache.generations(site.pk) == before:
                break
        self.counts[outcome] += 1
        if self.progress is not None:
            self.progress.item(outcome)
        return outcome

    def _bake(self, site: Site, url_path: str) -> str:
        site_dir, generation = self.generation(site)
        name = view_name(url_path)
        if generation is None or name is None:
            return "skipped"
        try:
            response = render(site.domain, url_path)
            if response.status_code in GONE_FROM_HERE:
                return "removed" if store.remove(store.page_files(generation, url_path)) else "unchanged"
            if response.status_code not in CACHEABLE:  # e.g. a host Django refuses: keep what is there
                logger.error("Baking %s%s: Django answered %s", site.domain, url_path, response.status_code)
                return "failed"
            content_type = response.get("Content-Type", "text/html")
            gone = response.status_code == 410
            target = store.page_file(generation, url_path, content_type, gone=gone)
            if gone:  # the 410 first: nginx checks it before the page
                written = store.write_atomic(target, response.content)
                store.remove(p for p in store.page_files(generation, url_path) if p != target)
            else:  # the old 410 first: in between, Django answers
                store.remove(p for p in store.page_files(generation, url_path) if p != target)
                written = store.write_atomic(target, response.content)
            if name == ARTICLE_VIEW and response.status_code == 200:
                self._schedule(site_dir, generation, url_path, response)
            return "written" if written else "unchanged"
        except Exception:
            logger.exception("Baking %s%s failed", site.domain, url_path)
            return "failed"

    def _schedule(self, site_dir: Path, generation: Path, url_path: str, response) -> None:
        """Note when an article page changes by itself: when comments close (the view's
        freshness) and before its comment form's signed token expires."""
        from comments.forms import TOKEN_MAX_AGE

        now = time.time()
        moments = []
        fresh_for = getattr(response, "archive_fresh_for", None)
        if fresh_for is not None:
            moments.append(now + fresh_for)
        if b'name="token"' in response.content:
            moments.append(now + TOKEN_MAX_AGE / 2)
        if moments:
            store.schedule(site_dir, generation, url_path, min(moments))

    # --- what a change touches -----------------------------------------------------

    def bake_article(self, article, sites: Iterable[Site], *, page_only: bool = False) -> None:
        """Bake an article's page, the front page, the feeds and its date archives on
        ``sites``; remove the pages at its old addresses. ``page_only``: just its page (a
        comment changed: the lists and feeds do not show comments)."""
        from ..models import SlugHistory

        current = article.get_absolute_url() if article.pub_date else None
        if page_only:
            for site in sites:
                if current:
                    self.bake(site, current)
            return
        old = list(SlugHistory.objects.filter(article=article).values_list("pub_date", "slug"))
        for site in sites:
            if current:
                self.bake(site, current)
            for pub_date, slug in old:
                path = _detail_path(pub_date, slug)
                if path != current:
                    self.bake(site, path)  # a 301 now: removed
            for name in HOT_PAGES:
                self.bake(site, reverse(name))
            dates = {article.pub_date} if article.pub_date else set()
            dates |= {pub_date for pub_date, _slug in old}
            for day in sorted(dates):
                for path in _archive_paths(day):
                    self.bake(site, path)

    def bake_hot(self, site: Site) -> None:
        for name in HOT_PAGES:
            self.bake(site, reverse(name))

    def swap(self, sites: Iterable[Site]) -> None:
        """Give each site an empty generation (nothing stale survives), then bake its hot pages."""
        for site in sites:
            site_dir = store.host_dir(self.root, site.domain)
            if site_dir is None or site.pk in self.swapped:
                continue
            self.swapped.add(site.pk)
            store.new_generation(site_dir)
            self.counts.setdefault("swapped", 0)
            self.counts["swapped"] += 1
            self.done = {key for key in self.done if key[0] != site.pk}
            self.bake_hot(site)

    def summary(self) -> str:
        seconds = time.monotonic() - self.started
        parts = [f"{n} {name}" for name, n in self.counts.items() if n]
        return f"{', '.join(parts) or 'nothing to do'} in {seconds:.2f} s"


def _detail_path(pub_date, slug: str) -> str:
    return reverse(
        "articles:detail",
        kwargs={"year": pub_date.year, "month": pub_date.month, "day": pub_date.day, "slug": slug},
    )


def _archive_paths(day) -> list[str]:
    return [
        reverse("articles:archive-day", kwargs={"year": day.year, "month": day.month, "day": day.day}),
        reverse("articles:archive-month", kwargs={"year": day.year, "month": day.month}),
        reverse("articles:archive-year", kwargs={"year": day.year}),
    ]


def sites_of(article) -> list[Site]:
    return [article.site, *article.sites.all()]


_pending = threading.local()
_ALL = object()


def note(
    site_ids: Iterable[int] = (), *, article_ids=(), everywhere: bool = False, objects=(), page_only: bool = False
):
    """Remember a change of the current transaction (``pagecache.invalidate`` calls this
    before the commit and ``flush(note)`` after it): one save sends several signals (the
    article, its tags, its sites), and their pages are baked once, by the first flush.
    Returns the note (None with baking off), for the transaction's on-commit hook."""
    if bake_root() is None:
        return None
    notes = _pending.__dict__.setdefault("notes", [])
    noted = (set(site_ids), set(article_ids), everywhere, list(objects), page_only)
    notes.append(noted)
    return noted


def flush(noted=_ALL) -> None:
    """Bake what the noted changes touched (after the commit). Never raises.

    ``noted`` is the note whose transaction just committed (from ``note()``): the on-commit
    hooks of one transaction run in the order they were registered, so the first of them
    holds the transaction's first surviving note, and the notes before it belong to
    transactions (or savepoints) that were rolled back: they are dropped, never baked. The
    notes from it on are baked now; the later hooks of the transaction find theirs done."""
    pending = getattr(_pending, "notes", [])
    if noted is _ALL:
        notes = pending
    else:
        at = next((n for n, pending_note in enumerate(pending) if pending_note is noted), None)
        if at is None:  # baked by an earlier hook of its transaction (or baking is off)
            return
        notes = pending[at:]
    _pending.notes = []
    root = bake_root()
    if not notes or root is None:
        return
    # Every noted change bumps its sites' generations before anything is baked (the later
    # notes' own after-commit bumps run after this flush), so a page baked on a miss from
    # data older than the commit is never kept (miss.py).
    try:
        for site_ids, article_ids, everywhere, _objects, _page_only in notes:
            pagecache.bump_now(site_ids | pagecache._sites_of_articles(article_ids), everywhere=everywhere)
    except Exception:
        logger.exception("Baking after a change failed")
        return
    baker = Baker(root)
    for site_ids, article_ids, everywhere, objects, page_only in notes:
        try:
            _changed(baker, site_ids, article_ids, everywhere, objects, page_only=page_only)
        except Exception:
            logger.exception("Baking after a change failed")


def changed(
    site_ids: Iterable[int] = (),
    *,
    article_ids: Iterable[int] = (),
    everywhere: bool = False,
    objects: Iterable = (),
) -> None:
    """Bake what a committed change touched, now (``pagecache.invalidate``'s arguments).
    Never raises: a failure is logged."""
    root = bake_root()
    if root is None:
        return
    try:
        _changed(Baker(root), set(site_ids), set(article_ids), everywhere, list(objects))
    except Exception:
        logger.exception("Baking after a change failed")


def _changed(
    baker: Baker, site_ids: set, article_ids: set, everywhere: bool, objects: list, *, page_only: bool = False
) -> None:
    from ..models import Article

    sites = {site.pk: site for site in Site.objects.all()}
    if objects:
        shown = _articles_showing(objects)
        if len(shown) > SWAP_OVER:
            on = set(Article.objects.filter(pk__in=shown).values_list("site_id", flat=True))
            on |= set(Article.sites.through.objects.filter(article_id__in=shown).values_list("site_id", flat=True))
            baker.swap(sites[pk] for pk in sorted(on) if pk in sites)
            return
        article_ids |= set(shown)
    elif everywhere and not article_ids:  # e.g. a deletion: the rows saying where are gone
        baker.swap(sites.values())
        return
    elif site_ids and not article_ids:  # the site's settings: every page of the site
        baker.swap(sites[pk] for pk in sorted(site_ids) if pk in sites)
        return
    articles = Article.objects.filter(pk__in=article_ids).select_related("site").prefetch_related("sites")
    for article in articles:
        on = {site.pk for site in sites_of(article)} | (site_ids & set(sites))
        if everywhere:  # sites it was removed from are not known: look for its pages
            on |= _sites_with_page(baker, sites.values(), article)
        baker.bake_article(article, [sites[pk] for pk in sorted(on) if pk in sites], page_only=page_only)


def _articles_showing(objects: list) -> list[int]:
    """Ids of the articles whose pages show one of ``objects`` (images, authors, tags, sections)."""
    from ..models import Article, ArticleImage, Author, Byline, Image, Section, Tag

    ids = set()
    for obj in objects:
        if isinstance(obj, Image):
            rows = ArticleImage.objects.filter(image_id=obj.pk).values_list("article_id", flat=True)
        elif isinstance(obj, Author):
            rows = Byline.objects.filter(author_id=obj.pk).values_list("article_id", flat=True)
        elif isinstance(obj, Tag):
            rows = Article.tags.through.objects.filter(tag_id=obj.pk).values_list("article_id", flat=True)
        elif isinstance(obj, Section):
            rows = Article.objects.filter(section_id=obj.pk).values_list("pk", flat=True)
        else:
            continue
        ids |= set(rows.order_by()[: SWAP_OVER + 1])
        if len(ids) > SWAP_OVER:
            break
    return sorted(ids)


def _sites_with_page(baker: Baker, sites, article) -> set[int]:
    if not article.pub_date:
        return set()
    found = set()
    for site in sites:
        site_dir = store.host_dir(baker.root, site.domain)
        generation = store.current_generation(site_dir, create=False) if site_dir else None
        if generation and any(p.exists() for p in store.page_files(generation, article.get_absolute_url())):
            found.add(site.pk)
    return found
