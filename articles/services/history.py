"""Snapshots and revisions: the immutable record of every save."""

from datetime import datetime

from ..models import (
    Article,
    Revision,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def article_snapshot(article: Article) -> dict:
    """Return the article as it stands, with bylines, photos (and their captions and
    credits), tags and corrections, as JSON-ready data."""
    bylines = article.bylines.select_related("author").order_by("position")
    placements = article.placements.select_related("image").order_by("position")
    return {
        "id": article.pk,
        "site": article.site_id,
        "sites": sorted(article.sites.values_list("pk", flat=True)),
        "headline": article.headline,
        "slug": article.slug,
        "dek": article.dek,
        "dateline": {
            "place": article.dateline_place,
            "country": article.dateline_country,
            "source": article.dateline_source,
        },
        "body": article.body,
        "word_count": article.word_count,
        "language": article.language,
        "section": article.section.slug if article.section_id else None,
        "tags": sorted(article.tags.values_list("slug", flat=True)),
        "status": article.status,
        "embargo_until": _iso(article.embargo_until),
        "published_at": _iso(article.published_at),
        "pub_date": article.pub_date.isoformat() if article.pub_date else None,
        "updated_at": _iso(article.updated_at),
        "withdrawn_reason": article.withdrawn_reason,
        "source_publisher": article.source_publisher,
        "canonical_url": article.canonical_url,
        "comments_mode": article.comments_mode,
        "bylines": [
            {
                "author": b.author_id,
                "author_name": b.author.name if b.author_id else None,
                "role": b.role,
                "position": b.position,
                "credit_text": b.credit_text,
            }
            for b in bylines
        ],
        "images": [
            {
                "image": p.image_id,
                "role": p.role,
                "position": p.position,
                "caption": p.effective_caption,
                "alt_text": p.effective_alt_text,
                "credit": p.effective_credit,
                "creator": p.image.creator,
                "agency": p.image.agency,
                "distributor": p.image.distributor,
                "copyright_notice": p.image.copyright_notice,
                "file": p.image.file.name or None,
                # What this use overrides (empty: the image's own), so a restore is exact.
                "overrides": {"caption": p.caption, "alt_text": p.alt_text, "credit_text": p.credit_text},
            }
            for p in placements
        ],
        "corrections": [
            {"kind": c.kind, "text": c.text, "created_at": _iso(c.created_at)} for c in article.corrections.all()
        ],
    }


def revision_create(*, article: Article, user=None, message: str = "") -> Revision:
    """Record an immutable snapshot of ``article`` as its next revision.

    Call inside the transaction that changed the article; the article row must be locked
    or freshly written by that transaction so numbers stay sequential.
    """
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return Revision.objects.create(
        article=article,
        number=last + 1,
        snapshot=article_snapshot(article),
        status=article.status,
        is_published=article.is_published(),
        message=message[:500],
        user=user if user is not None and user.is_authenticated else None,
    )
