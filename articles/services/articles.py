"""Writing articles: create, edit, publish, withdraw, restore, bylines, photos, corrections."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from ..models import (
    Article,
    ArticleImage,
    Author,
    Byline,
    Correction,
    Image,
    Revision,
    Section,
    SlugHistory,
    Tag,
)
from .common import _claim_version
from .history import revision_create
from .quality import TWO_LEADS, BylineSpec, PlacementSpec, article_publication_problems
from .sites import site_settings_for

SLUG_TAKEN = "Another article on this site already uses the address {date}/{slug}; choose another slug."
BODY_TOO_LARGE = "The body is too large ({size} bytes; the limit is {limit})."
ALREADY_PUBLISHED = "The article is already published."
CANNOT_UNPUBLISH = "A published article cannot go back to draft; withdraw it instead (its URL keeps answering)."
ALREADY_WITHDRAWN = "The article is already withdrawn."
NOT_RELEASED = "Only a published or scheduled article can be withdrawn."
DRAFT_SLUG_TAKEN = "Another unpublished article on this site already uses the slug “{slug}”; choose another."
DUPLICATE_AUTHOR = "“{author}” is credited twice with the same role."


RELEASED = {Article.Status.PUBLISHED, Article.Status.SCHEDULED}


def _site_tz(site: Site):
    return site_settings_for(site=site).tzinfo


def _check_body_size(body: str) -> None:
    limit = settings.NEWSROOM["MAX_BODY_BYTES"]
    size = len((body or "").encode("utf-8"))
    if size > limit:
        raise ValidationError({"body": BODY_TOO_LARGE.format(size=size, limit=limit)})


@transaction.atomic
def article_save(*, article: Article, user=None, expected_version: int | None = None) -> Article:
    """Validate and write the article row itself (not its bylines or photos).

    Derives the URL date from the publication time in the site's time zone, keeps the old
    URL of a published article in the slug history when its slug or date changes, bumps
    the version (refusing with ``EditConflict`` when ``expected_version`` is stale), and
    turns a clash of URLs into a ``ValidationError``. Does not record a revision: callers
    that finish an edit call ``revision_create`` (``article_create`` and ``article_update``
    do both).
    """
    if article.pk is not None:
        previous, article.version = _claim_version(Article, article.pk, expected_version)
    _check_body_size(article.body)
    if not article.slug:
        article.slug = slugify(article.headline, allow_unicode=True)[:200] or "article"
    if article.published_at is not None:
        article.pub_date = timezone.localtime(article.published_at, _site_tz(article.site)).date()
    else:
        article.pub_date = None
    if article.pk is None and user is not None and user.is_authenticated:
        article.created_by = user
    if article.pk is not None:
        moved = (previous.pub_date, previous.slug, previous.site_id) != (
            article.pub_date,
            article.slug,
            article.site_id,
        )
        if moved and previous.pub_date is not None and previous.status != Article.Status.DRAFT:
            # The old address now belongs to this article, even if another article
            # had it (and left it) before.
            SlugHistory.objects.update_or_create(
                site_id=previous.site_id,
                pub_date=previous.pub_date,
                slug=previous.slug,
                defaults={"article": article},
            )

    article.full_clean(exclude=["created_by"], validate_unique=False, validate_constraints=False)
    if article.pub_date is not None:
        taken = SLUG_TAKEN.format(date=f"{article.pub_date:%Y/%m/%d}", slug=article.slug)
    else:
        taken = DRAFT_SLUG_TAKEN.format(slug=article.slug)
    clash = Article.objects.filter(site_id=article.site_id, pub_date=article.pub_date, slug=article.slug)
    if article.pub_date is None:
        clash = Article.objects.filter(site_id=article.site_id, pub_date__isnull=True, slug=article.slug)
    if clash.exclude(pk=article.pk).exists():
        raise ValidationError({"slug": taken})
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError as error:
        # A concurrent writer took the same URL between our check and our write.
        if "slug" in str(error):
            raise ValidationError({"slug": taken}) from error
        raise
    return article


@transaction.atomic
def article_set_bylines(*, article: Article, bylines: Sequence[BylineSpec]) -> list[Byline]:
    """Replace the article's bylines with ``bylines``, in that order (positions 0..n-1)."""
    seen = set()
    for spec in bylines:
        if spec.author is None and not spec.credit_text.strip():
            raise ValidationError({"bylines": "Each byline needs an author or a free-text credit."})
        key = (spec.author.pk if spec.author else spec.credit_text, spec.role)
        if key in seen:
            raise ValidationError({"bylines": DUPLICATE_AUTHOR.format(author=spec.author or spec.credit_text)})
        seen.add(key)
    article.bylines.all().delete()
    return Byline.objects.bulk_create(
        Byline(article=article, author=spec.author, role=spec.role, credit_text=spec.credit_text.strip(), position=i)
        for i, spec in enumerate(bylines)
    )


@transaction.atomic
def article_set_images(*, article: Article, placements: Sequence[PlacementSpec]) -> list[ArticleImage]:
    """Replace the article's photo placements with ``placements``, in that order."""
    if sum(1 for p in placements if p.role == ArticleImage.Role.LEAD) > 1:
        raise ValidationError({"images": TWO_LEADS})
    article.placements.all().delete()
    return ArticleImage.objects.bulk_create(
        ArticleImage(
            article=article,
            image=spec.image,
            role=spec.role,
            position=i,
            caption=spec.caption,
            alt_text=spec.alt_text,
            credit_text=spec.credit_text,
        )
        for i, spec in enumerate(placements)
    )


def _set_relations(*, article, bylines, placements, tags, sites) -> None:
    if bylines is not None:
        article_set_bylines(article=article, bylines=bylines)
    if placements is not None:
        article_set_images(article=article, placements=placements)
    if tags is not None:
        article.tags.set(tags)
    if sites is not None:
        article.sites.set(sites)


def _check_released(article: Article) -> None:
    if article.status in RELEASED:
        errors, _warnings = article_publication_problems(article=article)
        if errors:
            raise ValidationError(errors)


def _apply_status(article: Article, status: str, *, published_at: datetime | None, reason: str) -> None:
    """Move ``article`` to ``status`` in memory, following the workflow:
    draft → published/scheduled (the time decides which) → withdrawn → published again;
    a scheduled article may go back to draft; a public one is withdrawn, never un-published.
    """
    now = timezone.now()
    if status in RELEASED:
        if article.status == Article.Status.PUBLISHED:
            raise ValidationError(ALREADY_PUBLISHED)
        if published_at is not None:
            when = published_at
        elif article.status == Article.Status.SCHEDULED:
            when = now  # "publish now" on a scheduled article
        else:
            # A draft may carry an original publication time (imports, backdating); a
            # withdrawn article that is republished keeps its first publication time.
            when = article.published_at or now
        article.published_at = when
        article.status = Article.Status.SCHEDULED if when > now else Article.Status.PUBLISHED
        article.withdrawn_at = None
        article.withdrawn_reason = ""
    elif status == Article.Status.WITHDRAWN:
        if article.status == Article.Status.WITHDRAWN:
            raise ValidationError(ALREADY_WITHDRAWN)
        if article.status not in RELEASED:
            raise ValidationError(NOT_RELEASED)
        article.status = Article.Status.WITHDRAWN
        article.withdrawn_at = now
        article.withdrawn_reason = (reason or "").strip()
    elif status == Article.Status.DRAFT:
        if article.status == Article.Status.PUBLISHED:
            raise ValidationError(CANNOT_UNPUBLISH)
        article.status = Article.Status.DRAFT
    else:
        raise ValidationError({"status": f"Unknown status “{status}”."})


@transaction.atomic
def article_create(
    *,
    site: Site,
    headline: str,
    user=None,
    message: str = "Created",
    status: str = Article.Status.DRAFT,
    bylines: Sequence[BylineSpec] = (),
    placements: Sequence[PlacementSpec] = (),
    tags: Iterable[Tag] | None = None,
    sites: Iterable[Site] | None = None,
    **fields,
) -> Article:
    """Create an article with its bylines and photos and record revision 1.

    ``fields`` are Article fields (slug, dek, body, dateline_*, section, language,
    published_at, embargo_until, comments_mode, source_publisher, canonical_url…). With
    ``status`` published (or scheduled) the article is released at once, after the same
    quality gates as ``article_publish``.
    """
    fields.setdefault("language", site_settings_for(site=site).language)
    article = Article(site=site, headline=headline, **fields)
    if status != Article.Status.DRAFT:
        _apply_status(article, status, published_at=fields.get("published_at"), reason="")
    article_save(article=article, user=user)
    _set_relations(article=article, bylines=bylines, placements=placements, tags=tags, sites=sites)
    _check_released(article)
    revision_create(article=article, user=user, message=message)
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    user=None,
    message: str = "Edited",
    expected_version: int | None = None,
    status: str | None = None,
    withdrawn_reason: str = "",
    bylines: Sequence[BylineSpec] | None = None,
    placements: Sequence[PlacementSpec] | None = None,
    tags: Iterable[Tag] | None = None,
    sites: Iterable[Site] | None = None,
    substantive: bool = True,
    **fields,
) -> Article:
    """Apply ``fields``, relations and a status change to ``article`` as one edit: one
    version, one revision.

    A released article must stay publishable: an edit that would break a quality gate is
    refused whole. ``substantive`` edits of a public article set its public “Updated”
    time. ``expected_version`` makes the edit conditional (``EditConflict`` when stale).
    """
    before = {field.attname: getattr(article, field.attname) for field in Article._meta.concrete_fields}
    try:
        was_public = article.is_published()
        for name, value in fields.items():
            setattr(article, name, value)
        if status is not None and status != article.status:
            _apply_status(article, status, published_at=fields.get("published_at"), reason=withdrawn_reason)
        if substantive and was_public and article.status in RELEASED:
            article.updated_at = timezone.now()
        article_save(article=article, user=user, expected_version=expected_version)
        _set_relations(article=article, bylines=bylines, placements=placements, tags=tags, sites=sites)
        _check_released(article)
        revision_create(article=article, user=user, message=message)
    except BaseException:
        # The transaction rolls the rows back; put the caller's object back too, so a
        # refused edit leaves nothing changed anywhere.
        for name, value in before.items():
            setattr(article, name, value)
        raise
    return article


def article_publish(
    *,
    article: Article,
    user=None,
    published_at: datetime | None = None,
    message: str = "Published",
    expected_version: int | None = None,
) -> Article:
    """Release ``article`` now, or at ``published_at`` if that is in the future (scheduled).

    Runs the quality gates and raises ``ValidationError`` with every problem found,
    changing nothing. The first publication time is kept when an article is republished.
    """
    if article.status == Article.Status.PUBLISHED:
        raise ValidationError(ALREADY_PUBLISHED)
    return article_update(
        article=article,
        user=user,
        message=message,
        expected_version=expected_version,
        status=Article.Status.PUBLISHED,
        substantive=False,
        **({"published_at": published_at} if published_at is not None else {}),
    )


def article_publish_warnings(*, article: Article) -> list[str]:
    """Return the non-blocking warnings for publishing ``article`` (e.g. no dateline)."""
    return article_publication_problems(article=article)[1]


def article_withdraw(
    *,
    article: Article,
    reason: str = "",
    user=None,
    message: str = "Withdrawn",
    expected_version: int | None = None,
) -> Article:
    """Take a released article down. Its URL answers 410 with ``reason``; nothing is deleted."""
    if article.status == Article.Status.WITHDRAWN:
        raise ValidationError(ALREADY_WITHDRAWN)
    return article_update(
        article=article,
        user=user,
        message=message,
        expected_version=expected_version,
        status=Article.Status.WITHDRAWN,
        withdrawn_reason=reason,
        substantive=False,
    )


@transaction.atomic
def correction_add(
    *,
    article: Article,
    text: str,
    kind: str = Correction.Kind.CORRECTION,
    user=None,
    created_at: datetime | None = None,
) -> Correction:
    """Append a public correction, clarification or update to ``article``.

    It marks the article as updated (at ``created_at``, now by default: imports pass the
    source's time) and records the revision it belongs to.
    """
    text = (text or "").strip()
    correction = Correction(article=article, kind=kind, text=text, created_at=created_at or timezone.now())
    correction.full_clean(exclude=["article", "revision"])
    correction.save()
    if article.updated_at is None or correction.created_at > article.updated_at:
        article.updated_at = correction.created_at
    article_save(article=article, user=user)
    correction.revision = revision_create(article=article, user=user, message=f"{correction.get_kind_display()} added")
    correction.save(update_fields=["revision"])
    return correction


RESTORED_FIELDS = (
    "headline", "slug", "dek", "body", "language", "comments_mode", "source_publisher", "canonical_url",
)  # fmt: skip


@transaction.atomic
def article_restore(*, article: Article, revision: Revision, user=None, expected_version: int | None = None) -> Article:
    """Bring back the content of ``revision`` (text, dateline, section, tags, bylines, photos
    and their per-use captions and credits) as a new revision; history is never rewritten.

    The publication state is not restored: a published article stays published (and must
    pass the quality gates with the old content). Authors or images deleted since are left
    out; a byline whose author is gone keeps the name as free text.
    """
    snapshot = revision.snapshot
    authors = Author.objects.in_bulk([b["author"] for b in snapshot["bylines"] if b["author"]])
    images = Image.objects.in_bulk([i["image"] for i in snapshot["images"]])
    bylines = [
        BylineSpec(
            author=authors.get(b["author"]),
            role=b["role"],
            credit_text=b["credit_text"] or ("" if b["author"] in authors else (b["author_name"] or "")),
        )
        for b in snapshot["bylines"]
        if b["author"] in authors or b["credit_text"] or b["author_name"]
    ]
    placements = [
        PlacementSpec(image=images[i["image"]], role=i["role"], **i.get("overrides", {}))
        for i in snapshot["images"]
        if i["image"] in images
    ]
    dateline = snapshot["dateline"]
    return article_update(
        article=article,
        user=user,
        message=f"Restored revision {revision.number}",
        expected_version=expected_version,
        bylines=bylines,
        placements=placements,
        tags=list(Tag.objects.filter(slug__in=snapshot["tags"])),
        sites=list(Site.objects.filter(pk__in=snapshot["sites"])),
        section=Section.objects.filter(slug=snapshot["section"]).first() if snapshot["section"] else None,
        dateline_place=dateline["place"],
        dateline_country=dateline["country"],
        dateline_source=dateline["source"],
        **{name: snapshot[name] for name in RESTORED_FIELDS},
    )
