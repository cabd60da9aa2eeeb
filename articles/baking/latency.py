"""How long a change takes to reach the baked page (for the benchmark and for operators).

``publish_to_baked()`` edits an article through the services (the dek gets a marker, as an
editor's save would), waits until the baked file of its page holds the marker, puts the dek
back, and returns the seconds from the start of the save until a reader polling the file
(another thread, as nginx would) first sees the marker. The bake runs right after the
commit, in the same process, article page first, so this is the whole path an editor's
publish takes: transaction, revision, page-cache bump, rendering and the atomic write.
"""

import threading
import time

from django.contrib.sites.models import Site

from . import bake_root, store


def publish_to_baked(article_id: int | None = None, *, timeout: float = 30.0) -> float | None:
    """Seconds until an edit of ``article_id`` (default: the newest public article) shows in
    its baked page; None when baking is off or it did not show within ``timeout``."""
    from .. import services
    from ..models import Article
    from ..views import LIST_ORDER  # the released-order index's order (not a sort of the table)

    root = bake_root()
    if root is None:
        return None
    articles = Article.objects.published().filter(pub_date__isnull=False).select_related("site")
    article = articles.get(pk=article_id) if article_id is not None else articles.order_by(*LIST_ORDER).first()
    if article is None:
        return None
    site: Site = article.site
    site_dir = store.host_dir(root, site.domain)
    page = lambda: (  # noqa: E731
        store.page_file(generation, article.get_absolute_url(), "text/html")
        if site_dir and (generation := store.current_generation(site_dir, create=False))
        else None
    )
    original = article.dek
    marker = f"Baking latency check {time.time_ns()}".encode()
    seen: list[float] = []
    done = threading.Event()

    def watch():  # a reader polling the file, as nginx would serve it
        while not done.is_set():
            file = page()
            try:
                if file is not None and marker in file.read_bytes():
                    seen.append(time.monotonic())
                    return
            except FileNotFoundError:
                pass
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        services.article_update(article=article, dek=marker.decode(), substantive=False, message="Baking latency check")
        watcher.join(timeout)
        return seen[0] - started if seen else None
    finally:
        done.set()
        fresh = Article.objects.get(pk=article.pk)
        services.article_update(article=fresh, dek=original, substantive=False, message="Baking latency check undone")
