"""Writes. Every surface (admin, API, views, commands) changes articles, bylines, images
and site settings through these functions, so the rules hold whichever door is used.

Each function takes keyword-only arguments, runs in one transaction, validates before it
writes and raises ``ValidationError`` (with the messages below) instead of writing part of
a change.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from .images import inspect_upload
from .models import (
    Article,
    ArticleImage,
    Author,
    Byline,
    Correction,
    Image,
    Revision,
    Section,
    SiteSettings,
    SlugHistory,
    Tag,
)

NO_HEADLINE = "An article needs a headline before it can be published."
NO_BODY = "An article needs a body before it can be published."
NO_BYLINE = "An article needs at least one byline before it can be published."
NO_ALT_TEXT = "The photo “{image}” needs alt text (or to be marked decorative) before publishing."
NO_CREDIT = "The photo “{image}” needs a credit (photographer, agency or credit text) before publishing."
NO_DATELINE = "The article has no dateline."
TWO_LEADS = "An article can have only one lead photo."
SLUG_TAKEN = "Another article on this site already uses the address {date}/{slug}; choose another slug."
BODY_TOO_LARGE = "The body is too large ({size} bytes; the limit is {limit})."
ALREADY_PUBLISHED = "The article is already published."
CANNOT_UNPUBLISH = "A published article cannot go back to draft; withdraw it instead (its URL keeps answering)."
STALE_VERSION = "The article was changed by someone else since you loaded it."
ALREADY_WITHDRAWN = "The article is already withdrawn."
NOT_RELEASED = "Only a published or scheduled article can be withdrawn."
DRAFT_SLUG_TAKEN = "Another unpublished article on this site already uses the slug “{slug}”; choose another."
DUPLICATE_AUTHOR = "“{author}” is credited twice with the same role."


@dataclass(frozen=True)
class BylineSpec:
    """A byline to write: an author and/or a free-text credit, with a role."""

    author: Author | None = None
    role: str = Byline.Role.AUTHOR
    credit_text: str = ""


@dataclass(frozen=True)
class PlacementSpec:
    """A use of an image in an article, with optional per-use overrides."""

    image: Image
    role: str = ArticleImage.Role.INLINE
    caption: str = ""
    alt_text: str = ""
    credit_text: str = ""


# --- Quality gates ---------------------------------------------------------------------


def text_problems(*, headline: str, body: str) -> list[str]:
    """Return what stops a headline and body from being published."""
    problems = []
    if not (headline or "").strip():
        problems.append(NO_HEADLINE)
    if not (body or "").strip():
        problems.append(NO_BODY)
    return problems


def byline_problems(bylines: Sequence[BylineSpec | Byline]) -> list[str]:
    """Return what stops a list of bylines from being published."""
    return [] if bylines else [NO_BYLINE]


def image_problems(placements: Sequence[PlacementSpec | ArticleImage]) -> list[str]:
    """Return what stops a set of photo placements from being published: alt text unless
    decorative, a credit unless a staff photo, at most one lead."""
    problems = []
    for placement in placements:
        image = placement.image
        label = str(image)
        if not (placement.alt_text or image.alt_text) and not image.is_decorative:
            problems.append(NO_ALT_TEXT.format(image=label))
        if not (placement.credit_text or image.credit_line) and not image.is_staff_photo:
            problems.append(NO_CREDIT.format(image=label))
    if sum(1 for p in placements if p.role == ArticleImage.Role.LEAD) > 1:
        problems.append(TWO_LEADS)
    return problems


def article_publication_problems(
    *, article: Article, bylines: Sequence | None = None, placements: Sequence | None = None
) -> tuple[list[str], list[str]]:
    """Return ``(errors, warnings)`` for publishing ``article`` with the given bylines and
    placements (its stored ones when not given). Errors block publication."""
    if bylines is None:
        bylines = list(article.bylines.all()) if article.pk else []
    if placements is None:
        placements = list(article.placements.select_related("image")) if article.pk else []
    errors = [
        *text_problems(headline=article.headline, body=article.body),
        *byline_problems(bylines),
        *image_problems(placements),
    ]
    warnings = [] if article.dateline_place else [NO_DATELINE]
    return errors, warnings


# --- Snapshots and revisions -----------------------------------------------------------


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


# --- Articles --------------------------------------------------------------------------


class EditConflict(Exception):
    """The article or settings row changed since the version the caller edited."""

    def __init__(self, message: str = "", *, current_version: int | None = None):
        super().__init__(message or STALE_VERSION)
        self.current_version = current_version


RELEASED = {Article.Status.PUBLISHED, Article.Status.SCHEDULED}


def _site_tz(site: Site):
    return site_settings_for(site=site).tzinfo


def _check_body_size(body: str) -> None:
    limit = settings.NEWSROOM["MAX_BODY_BYTES"]
    size = len((body or "").encode("utf-8"))
    if size > limit:
        raise ValidationError({"body": BODY_TOO_LARGE.format(size=size, limit=limit)})


def _claim_version(model, pk: int, expected_version: int | None):
    """Take the row for this transaction and return its stored state.

    With ``expected_version``, the claim is a conditional UPDATE (``… WHERE version = N``)
    issued first, so of many concurrent writers holding the same version exactly one
    succeeds and the others get ``EditConflict``. Without it, the row is locked
    (``SELECT … FOR UPDATE`` where the database has it) and the edit applies to whatever is
    current.
    """
    if expected_version is not None:
        if not model.objects.filter(pk=pk, version=expected_version).update(version=expected_version + 1):
            current = model.objects.filter(pk=pk).values_list("version", flat=True).first()
            raise EditConflict(current_version=current)
        return model.objects.get(pk=pk), expected_version + 1
    previous = model.objects.select_for_update().get(pk=pk)
    return previous, previous.version + 1


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


# --- Images ----------------------------------------------------------------------------


def file_sha256(file) -> str:
    """Return the SHA-256 of a file-like object, read in chunks, rewound afterwards."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


@transaction.atomic
def image_create(*, file: UploadedFile | None = None, user=None, **fields) -> tuple[Image, bool]:
    """Store a new image, or return the existing one with the same bytes.

    Returns ``(image, created)``. ``fields`` are Image metadata fields (alt_text, caption,
    creator, agency, distributor, copyright_notice, credit_text…). The file is checked by
    its content first (``images.inspect_upload``): anything refused raises
    ``ValidationError`` and nothing is stored (no row, no file).

    The credit, caption and alt text the file carries (XMP, then IPTC IIM, then EXIF) fill
    the fields left empty, never those given; the values read are kept in ``metadata``.
    What is stored is a clean copy of the picture (``images.clean_copy``: re-encoded,
    upright, no GPS or other metadata but the credit), named by the server. The SHA-256 is
    that of the uploaded bytes, so uploading the same file twice finds the first image.
    Renditions are made after the transaction commits.
    """
    from .images import client_filename
    from .renditions import schedule_renditions

    image = Image(**fields)
    if file is not None:
        inspect_upload(file)
        image.sha256 = file_sha256(file)
        existing = Image.objects.filter(sha256=image.sha256).first()
        if existing is not None:
            return existing, False
        image.original_filename = client_filename(file)
        _image_take_upload(image, file)
    if user is not None and user.is_authenticated:
        image.uploaded_by = user
    image.full_clean(exclude=["file"])
    try:
        _image_save_with_file(image)
    except IntegrityError:
        # The same bytes were stored by a concurrent upload since the check above.
        existing = Image.objects.filter(sha256=image.sha256).first() if image.sha256 else None
        if existing is None:
            raise
        return existing, False
    schedule_renditions(image)
    return image, True


CREDIT_FIELDS = ("creator", "agency", "distributor", "copyright_notice", "credit_text")


@transaction.atomic
def image_update(*, image: Image, **fields) -> Image:
    """Change an image's metadata (caption, alt text, credit chain…); the file stays (or is
    cleared: then the old file and its renditions are deleted after the commit).

    Every rendition carries the credit, so a changed credit has them made again after the
    transaction commits.
    """
    from .renditions import refresh_renditions, schedule_files_deletion

    stored = Image.objects.filter(pk=image.pk).values(*CREDIT_FIELDS, "file", "renditions")
    before = stored.first() if image.pk else None
    for name, value in fields.items():
        setattr(image, name, value)
    # A file taken away (the admin's "clear"): its renditions go with it, after the commit.
    dropped = before is not None and before["file"] and before["file"] != (image.file.name or "")
    if dropped:
        image.renditions = []
    image.full_clean(exclude=["file"])
    image.save()
    if dropped:
        schedule_files_deletion(image.file.storage, before["file"], before["renditions"])
    elif before is not None and any(before[name] != getattr(image, name) for name in CREDIT_FIELDS):
        refresh_renditions(image)
    return image


IMAGE_IN_LIBRARY = "The same file is already in the library as image {pk} (“{image}”)."
IMAGE_IN_USE = "The photo “{image}” is used by {count} article(s); remove it from them before deleting it."


def _image_take_upload(image: Image, file: UploadedFile) -> None:
    """Read the metadata of a checked upload into ``image`` (empty fields only) and give it
    the clean copy of the picture as its file (not yet saved)."""
    from django.core.files.base import ContentFile

    from .images import FileCredit, clean_copy, opened_upload
    from .metadata import fill_empty, read_metadata

    with opened_upload(file) as picture:
        embedded = read_metadata(picture)
        filled = fill_empty(image, embedded.image_fields())
        clean = clean_copy(picture, credit=FileCredit.of(image), source=file)
    image.metadata = {**embedded.raw, "filled": filled} if (embedded.raw or filled) else {}
    image.renditions = []
    # The stored name is made by image_upload_to; its extension follows the decoded format.
    image.file = ContentFile(clean.content, name=f"upload.{clean.extension}")


def _image_save_with_file(image: Image) -> None:
    """Save ``image``, removing the file it just wrote if the row cannot be written."""
    try:
        with transaction.atomic():
            image.save()
    except Exception:
        if image.file and image.file.name:
            image.file.storage.delete(image.file.name)
        raise


@transaction.atomic
def image_replace_file(*, image: Image, file: UploadedFile, user=None) -> Image:
    """Give a stored image a new picture, checked and cleaned as ``image_create`` does;
    the file's metadata fills only fields still empty. The old file and its renditions are
    deleted after the transaction commits. Refuses (``ValidationError`` on ``file``) bytes
    that another image already has.
    """
    from .images import client_filename
    from .renditions import schedule_file_deletion, schedule_renditions

    inspect_upload(file)
    digest = file_sha256(file)
    twin = Image.objects.filter(sha256=digest).exclude(pk=image.pk).first()
    if twin is not None:
        raise ValidationError({"file": IMAGE_IN_LIBRARY.format(pk=twin.pk, image=twin)})
    previous = Image.objects.filter(pk=image.pk).first() if image.pk else None
    image.sha256 = digest
    image.original_filename = client_filename(file)
    _image_take_upload(image, file)
    if image.pk is None and user is not None and user.is_authenticated:
        image.uploaded_by = user
    image.full_clean(exclude=["file"])
    _image_save_with_file(image)
    if previous is not None and previous.file.name != image.file.name:
        schedule_file_deletion(previous)
    schedule_renditions(image)
    return image


@transaction.atomic
def image_delete(*, image: Image) -> None:
    """Delete an image that no article uses; its file and every rendition are deleted
    after the transaction commits. An image in use is refused with ``ValidationError``
    (code ``protected``): articles keep their photos (``ArticleImage.image`` is PROTECT).
    """
    from django.db.models import ProtectedError

    from .renditions import schedule_file_deletion

    uses = image.placements.count()
    if uses:
        raise ValidationError(IMAGE_IN_USE.format(image=image, count=uses), code="protected")
    try:
        image.delete()
    except ProtectedError as error:  # placed by a concurrent edit since the count
        raise ValidationError(IMAGE_IN_USE.format(image=image, count=1), code="protected") from error
    schedule_file_deletion(image)


# --- Authors ---------------------------------------------------------------------------


@transaction.atomic
def author_save(*, author: Author) -> Author:
    """Validate and save an author, making a slug from the name when none is given."""
    if not author.slug:
        author.slug = slugify(author.name, allow_unicode=True)[:200] or "author"
    author.full_clean()
    author.save()
    return author


# --- Sites -----------------------------------------------------------------------------


def site_settings_for(*, site: Site) -> SiteSettings:
    """Return the settings row of ``site``, creating it with defaults if it is missing."""
    # Read fresh, and do not cache it on ``site``: the Site may be the process-wide cached
    # ``request.site``, and settings cached there would go stale for every later request.
    return SiteSettings.objects.get_or_create(site=site)[0]


@transaction.atomic
def site_settings_update(*, site_settings: SiteSettings, expected_version: int | None = None, **fields) -> SiteSettings:
    """Change a site's settings (e.g. the commenting switch and notice) and bump its version
    (conditionally on ``expected_version``, raising ``EditConflict`` when stale). An unsaved
    row is created."""
    if site_settings._state.adding:  # a site's first settings row
        version = 1
    else:
        _previous, version = _claim_version(SiteSettings, site_settings.pk, expected_version)
    for name, value in fields.items():
        setattr(site_settings, name, value)
    site_settings.full_clean(exclude=["site"], validate_unique=False)
    site_settings.version = version
    site_settings.save()
    return site_settings


@transaction.atomic
def sites_set_commenting(*, sites: Iterable[Site], enabled: bool, notice: str | None = None) -> int:
    """Switch commenting on or off for several sites at once; return how many changed."""
    count = 0
    for site in sites:
        changes = {"comments_enabled": enabled}
        if enabled:
            changes["comments_suspended_until"] = None
        if notice is not None:
            changes["comments_notice"] = notice
        site_settings_update(site_settings=site_settings_for(site=site), **changes)
        count += 1
    return count
