"""A full bake of a site (``bake_archive --all``), streamed in constant memory.

Articles are read with ``iterator()`` in pages of ``CHUNK`` rows and their paths are not
remembered (each is baked once anyway); only the set of archive months and years, a few
hundred entries per century, is kept. It bakes into the current generation, rewriting only
files whose bytes changed, so readers keep being served while it runs. An edit committed
during the run is baked by its own after-commit hook; the pass at the end re-bakes the
articles modified since the start, in case the full bake wrote an older rendering after it.
"""

from django.contrib.sites.models import Site
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import HOT_PAGES, Baker, _archive_paths, _detail_path, store

CHUNK = 500


def public_or_gone(site: Site):
    """Articles of ``site`` with an address: public ones (200) and withdrawn ones (410)."""
    from ..models import Article

    return Article.objects.in_change_feed(now=timezone.now()).filter(pub_date__isnull=False).for_site(site)


def bake_site(baker: Baker, site: Site, *, swap: bool = False) -> None:
    """Bake every page of ``site`` (with ``swap``, into a new, empty generation first)."""
    from ..models import SlugHistory

    started = timezone.now()
    site_dir = store.host_dir(baker.root, site.domain)
    if site_dir is None:
        baker.counts["skipped"] += 1
        return
    if swap:
        baker.swap([site])
    for name in HOT_PAGES:
        baker.bake(site, reverse(name))
    articles = public_or_gone(site).order_by("-pub_date", "-pk")
    for pub_date, slug in articles.values_list("pub_date", "slug").iterator(chunk_size=CHUNK):
        baker.bake(site, _detail_path(pub_date, slug), remember=False)
    months = set()
    for (day,) in articles.order_by("-pub_date").values_list("pub_date").distinct().iterator(chunk_size=CHUNK):
        day_path, month_path, year_path = _archive_paths(day)
        baker.bake(site, day_path, remember=False)
        if (day.year, day.month) not in months:
            months.add((day.year, day.month))
            baker.bake(site, month_path)
            baker.bake(site, year_path)
    moved = SlugHistory.objects.filter(Q(site=site) | Q(article__sites=site)).values_list("pub_date", "slug")
    for pub_date, slug in moved.distinct().iterator(chunk_size=CHUNK):
        baker.bake(site, _detail_path(pub_date, slug), remember=False)  # 301 now: removed
    for article in public_or_gone(site).filter(modified_at__gte=started).select_related("site"):
        baker.done.discard((site.pk, article.get_absolute_url()))
        baker.bake_article(article, [site])
