"""How long a change takes to reach the baked page (for the benchmark and for operators).

``publish_to_baked()`` edits an article through the services (the dek gets a marker, as an
editor's save would), waits until the baked file of its page holds the marker, puts the dek
back, and returns the seconds from the start of the save to the file being there. The bake
runs right after the commit, in the same process, so this is the whole path an editor's
publish takes: transaction, page-cache bump, rendering and the atomic writes.
"""

import time

from django.contrib.sites.models import Site

from . import bake_root, store


def publish_to_baked(article_id: int | None = None, *, timeout: float = 30.0) -> float | None:
    """Seconds until an edit of ``article_id`` (default: the newest public article) shows in
    its baked page; None when baking is off or it did not show within ``timeout``."""
    from .. import services
    from ..models import Article

    root = bake_root()
    if root is None:
        return None
    articles = Article.objects.published().filter(pub_date__isnull=False).select_related("site")
    article = articles.get(pk=article_id) if article_id is not None else articles.order_by("-published_at").first()
    if article is None:
        return None
    site: Site = article.site
    site_dir = store.host_dir(root, site.domain)
    original = article.dek
    marker = f"Baking latency check {time.time_ns()}"
    started = time.monotonic()
    try:
        services.article_update(article=article, dek=marker, substantive=False, message="Baking latency check")
        while time.monotonic() - started < timeout:
            generation = store.current_generation(site_dir, create=False) if site_dir else None
            page = generation and store.page_file(generation, article.get_absolute_url(), "text/html")
            if page and page.exists() and marker.encode() in page.read_bytes():
                return time.monotonic() - started
            time.sleep(0.005)
        return None
    finally:
        fresh = Article.objects.get(pk=article.pk)
        services.article_update(article=fresh, dek=original, substantive=False, message="Baking latency check undone")
