"""Page cache invalidation (the one use of signals here: STYLE.md 3).

Every write that changes what a public page shows drops the cached pages of the sites
concerned after the transaction commits (``pagecache.invalidate``). Services write
bylines and photo placements with ``bulk_create`` (no signals), but always save the
article in the same transaction, so the article's own ``post_save`` covers them.
No ``post_delete`` receiver is connected for bylines, placements or corrections: it
would turn their fast bulk deletes into row-by-row ones, and those deletes also come
with a save of the article.
"""

from django.contrib.sites.models import Site
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import pagecache
from .models import Article, ArticleImage, Author, Byline, Correction, Image, Section, SiteSettings, Tag


def article_changed(sender, instance, **kwargs):
    pagecache.invalidate([instance.site_id], article_ids=[instance.pk])


def article_deleted(sender, instance, **kwargs):
    # Its syndication rows are gone by now: drop every site's pages.
    pagecache.invalidate([instance.site_id], everywhere=True)


def article_part_changed(sender, instance, **kwargs):
    """A byline, photo placement or correction saved on its own (e.g. an admin inline)."""
    article = type(instance)._meta.get_field("article").get_cached_value(instance, None)
    pagecache.invalidate([article.site_id] if article is not None else [], article_ids=[instance.article_id])


def article_relations_changed(sender, instance, action, pk_set, **kwargs):
    """Syndication sites or tags of an article changed."""
    if not action.startswith("post_"):
        return
    everywhere = action == "post_clear"  # the cleared rows are not known any more
    if isinstance(instance, Article):
        sites = set(pk_set or ()) if sender is Article.sites.through else set()
        pagecache.invalidate({instance.site_id, *sites}, article_ids=[instance.pk], everywhere=everywhere)
    else:  # the reverse side: a site's (or a tag's) articles were changed
        sites = [instance.pk] if isinstance(instance, Site) else []
        pagecache.invalidate(sites, article_ids=pk_set or (), everywhere=everywhere)


def shared_object_changed(sender, instance, **kwargs):
    """Images, authors, tags and sections appear on every site's pages."""
    # A saved one is named, so the baker re-bakes only the articles showing it (none when it
    # was just created). A deleted tag or section is not (its links are gone): every site is
    # re-baked. A deleted image or author is named too: photo placements and bylines protect
    # them, so one that could be deleted was shown by no article, and nothing is re-baked.
    named = "created" in kwargs or isinstance(instance, Image | Author)
    pagecache.invalidate(everywhere=True, objects=[instance] if named else ())


def site_changed(sender, instance, **kwargs):
    pk = instance.site_id if isinstance(instance, SiteSettings) else instance.pk
    pagecache.invalidate([pk])


def connect() -> None:
    """Connect the receivers (from ``ArticlesConfig.ready``)."""
    uid = "articles.pagecache"
    post_save.connect(article_changed, sender=Article, dispatch_uid=f"{uid}.article")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid=f"{uid}.article_deleted")
    for model in (Byline, ArticleImage, Correction):
        post_save.connect(article_part_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
    for through in (Article.sites.through, Article.tags.through):
        m2m_changed.connect(article_relations_changed, sender=through, dispatch_uid=f"{uid}.{through.__name__}")
    for model in (Image, Author, Tag, Section):
        post_save.connect(shared_object_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
        post_delete.connect(shared_object_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}_deleted")
    for model in (SiteSettings, Site):
        post_save.connect(site_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
