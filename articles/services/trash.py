"""The trash: withdrawn articles, and their purge once the retention period has passed.

Deleting an article (API ``DELETE``, the admin's withdraw action) withdraws it: its URL
answers 410 and everything is kept, so it can be restored (published again) with identical
content. ``trash_purge`` removes for good the articles withdrawn longer ago than
``NEWSROOM["TRASH_RETENTION_DAYS"]`` (30 days by default, WordPress's
``EMPTY_TRASH_DAYS``), with their bylines, photo placements, corrections, comments, slug
history and revisions — the one place revisions are deleted, on purpose.

Images: a purged article's photos are deleted with it (rows after the commit, files after
the commit) only when nothing else needs them: no other article places them and no other
article's revision names them (a restore of that revision would bring the photo back).
Shared photos stay.

Every address the article had (its own and its slug history, on its primary site and on
every site it was syndicated to) is kept as a ``Tombstone`` so it keeps answering 410 Gone
with the public reason, never 404.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Article, ArticleImage, Correction, Image, Revision, SlugHistory, Tombstone

DEFAULT_RETENTION_DAYS = 30


def trash_retention() -> timedelta:
    return timedelta(days=settings.NEWSROOM.get("TRASH_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def trash_expired(*, now: datetime | None = None):
    """Withdrawn articles whose retention has passed (withdrawn before ``now - retention``)."""
    cutoff = (now or timezone.now()) - trash_retention()
    return Article.objects.filter(status=Article.Status.WITHDRAWN, withdrawn_at__lt=cutoff).order_by("pk")


@dataclass
class PurgeReport:
    articles: list[int] = field(default_factory=list)
    images: list[int] = field(default_factory=list)
    images_kept: list[int] = field(default_factory=list)
    revisions: int = 0
    tombstones: int = 0


def _images_named_by_revisions(image_ids: set[int], *, excluding: set[int]) -> set[int]:
    """The ids among ``image_ids`` that a revision of an article not in ``excluding`` names."""
    if not image_ids:
        return set()
    named = set()
    revisions = Revision.objects.exclude(article_id__in=excluding).values_list("snapshot", flat=True)
    for snapshot in revisions.iterator(chunk_size=500):
        named.update(i["image"] for i in snapshot.get("images", ()) if i.get("image") in image_ids)
        if named == image_ids:
            break
    return named


def _addresses(article: Article) -> set[tuple[int, object, str]]:
    """Every ``(site_id, pub_date, slug)`` the article answers at: its own address and its
    slug history, on its primary site and on every site it is syndicated to (the pages and
    the old-address redirects answer there too). Read before the article is deleted."""
    syndicated = set(article.sites.values_list("pk", flat=True))
    addresses = set()
    if article.pub_date:
        addresses |= {(site_id, article.pub_date, article.slug) for site_id in {article.site_id, *syndicated}}
    for site_id, pub_date, slug in SlugHistory.objects.filter(article=article).values_list(
        "site_id", "pub_date", "slug"
    ):
        addresses |= {(other, pub_date, slug) for other in {site_id, *syndicated}}
    return addresses


def _bury(article: Article) -> int:
    """Keep the article's addresses (current and former, on every site) as tombstones;
    return how many."""
    addresses = _addresses(article)
    for site_id, pub_date, slug in sorted(addresses):
        Tombstone.objects.update_or_create(
            site_id=site_id,
            pub_date=pub_date,
            slug=slug,
            defaults={
                "article_id": article.pk,
                "withdrawn_at": article.withdrawn_at,
                "withdrawn_reason": article.withdrawn_reason,
            },
        )
    return len(addresses)


@transaction.atomic
def trash_purge(*, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Delete the articles whose time in the trash is over (see the module docstring) and
    return what was (or, with ``dry_run``, would be) removed. One transaction: all or none."""
    from ..renditions import schedule_file_deletion

    report = PurgeReport()
    # Lock the rows: an editor restoring one of them now either wins (and it is skipped)
    # or waits for the purge.
    expired = list(trash_expired(now=now).select_for_update())
    ids = {article.pk for article in expired}
    report.articles = sorted(ids)
    if not ids:
        return report
    used = set(ArticleImage.objects.filter(article_id__in=ids).values_list("image_id", flat=True))
    elsewhere = set(
        ArticleImage.objects.filter(image_id__in=used).exclude(article_id__in=ids).values_list("image_id", flat=True)
    )
    elsewhere |= _images_named_by_revisions(used - elsewhere, excluding=ids)
    report.images = sorted(used - elsewhere)
    report.images_kept = sorted(used & elsewhere)
    report.revisions = Revision.objects.filter(article_id__in=ids).count()
    if dry_run:
        report.tombstones = sum(len(_addresses(a)) for a in expired)
        return report
    for article in expired:
        report.tombstones += _bury(article)
    Correction.objects.filter(article_id__in=ids).delete()  # they point at revisions
    Revision.objects.filter(article_id__in=ids).delete()  # PROTECT elsewhere: deleted here on purpose
    Article.objects.filter(pk__in=ids).delete()  # bylines, placements, comments, slug history cascade
    for image in Image.objects.filter(pk__in=report.images):
        image.delete()
        schedule_file_deletion(image)  # files go once the purge has committed
    return report
