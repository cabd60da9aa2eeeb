"""Write an ``ImportedArticle`` through the services, once per source.

Identity: an imported article is found again by its ``source_key`` (the source's URL, or a
content hash), then by ``canonical_url``, then — for a page of this very site — by the
address it is published at. Found, it is updated (one new revision) or, when the source
says nothing new, left alone ("unchanged": the trial edit is rolled back, so no revision
is written). Not found, it is created as a draft carrying its original publication time.

Everything for one article (authors, photos, the article, its corrections, publication)
happens in one transaction: an error, or the process being killed, leaves nothing of it.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import slugify

from .. import services
from ..models import Article, ArticleImage, Author, Byline, Image, Section, SlugHistory, Tag
from .base import ImportedArticle, ImportedByline, ImportedImage, normalise_url

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
BYLINE_ROLES = {choice.value for choice in Byline.Role}
CORRECTION_KINDS = {"correction", "clarification", "update"}


@dataclass
class Outcome:
    action: str
    article: Article
    warnings: list[str] = field(default_factory=list)


class _Unchanged(Exception):
    """Raised inside the trial edit to roll it back: the source brought nothing new."""


# --- Identity --------------------------------------------------------------------------


def _same_host(url: str, site: Site) -> bool:
    try:
        netloc = urlsplit(url).netloc.lower()
    except ValueError:
        return False
    domain = site.domain.lower()
    return netloc == domain or netloc.split(":")[0] == domain.split(":")[0]


def own_article_at(url: str, site: Site) -> Article | None:
    """The article of ``site`` that ``url`` (an address on this site) shows, if any."""
    if not url or not _same_host(url, site):
        return None
    try:
        match = resolve(urlsplit(url).path)
    except (Resolver404, ValueError):
        return None
    if match.namespace != "articles":
        return None
    if match.url_name == "permalink":
        return Article.objects.filter(site=site, pk=match.kwargs["pk"]).first()
    if match.url_name != "detail":
        return None
    try:
        day = date(match.kwargs["year"], match.kwargs["month"], match.kwargs["day"])
    except ValueError:
        return None
    slug = match.kwargs["slug"]
    found = Article.objects.filter(site=site, pub_date=day, slug=slug).first()
    if found is None:
        moved = SlugHistory.objects.filter(site=site, pub_date=day, slug=slug).select_related("article").first()
        found = moved.article if moved is not None else None
    return found


def find_existing(item: ImportedArticle, *, site: Site) -> Article | None:
    """The article ``item`` was imported as before (or that it is a page of), if any."""
    articles = Article.objects.filter(site=site)
    if item.source_key:
        found = articles.filter(source_key=item.source_key).order_by("pk").first()
        if found is not None:
            return found
    url = normalise_url(item.url)
    if url:
        found = articles.filter(canonical_url__in={url, item.url}).order_by("pk").first()
        if found is not None:
            return found
        return own_article_at(url, site)
    return None


# --- Authors, photos, sections and tags --------------------------------------------------


def _slug_from_author_url(url: str) -> str:
    """ "https://x.example/authors/jane-doe/" → "jane-doe" (the last part of the path)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    parts = [part for part in path.split("/") if part]
    return slugify(parts[-1], allow_unicode=True) if len(parts) >= 2 and parts[-2] == "authors" else ""


def _free_author_slug(base: str) -> str:
    base = (base or "author")[:190]
    slug, number = base, 2
    while Author.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def author_for(byline: ImportedByline, *, site: Site) -> Author:
    """The Author a byline names: the one at the slug its URL gives (or its name's), else
    one with exactly that name, else a new one (``services.author_save``)."""
    name = byline.name.strip()[:200]
    slug = byline.slug or _slug_from_author_url(byline.url) or slugify(name, allow_unicode=True)
    author = Author.objects.filter(slug=slug).first() if slug else None
    if author is not None and author.name.casefold() == name.casefold():
        return author
    author = Author.objects.filter(name__iexact=name).order_by("pk").first()
    if author is not None:
        return author
    kind = Author.Kind.ORGANIZATION if byline.kind == "organization" else Author.Kind.PERSON
    url = byline.url if byline.url and not _same_host(byline.url, site) else ""
    return services.author_save(author=Author(name=name, slug=_free_author_slug(slug), kind=kind, url=url[:500]))


def byline_specs(bylines: list[ImportedByline], *, site: Site) -> list[services.BylineSpec]:
    specs, seen = [], set()
    for byline in bylines:
        name = byline.name.strip()
        if not name:
            continue
        role = byline.role if byline.role in BYLINE_ROLES else Byline.Role.AUTHOR
        if byline.kind == "text":
            spec = services.BylineSpec(role=role, credit_text=name[:200])
            key = (name, role)
        else:
            author = author_for(byline, site=site)
            spec = services.BylineSpec(author=author, role=role)
            key = (author.pk, role)
        if key not in seen:
            seen.add(key)
            specs.append(spec)
    return specs


def image_fields(spec: ImportedImage) -> dict:
    """The Image metadata an imported photo carries."""
    return {
        "alt_text": spec.alt_text.strip()[:500],
        "caption": spec.caption.strip(),
        "copyright_notice": spec.copyright_notice.strip()[:300],
        "is_decorative": spec.is_decorative,
        "source_url": spec.source_url[:1000] if normalise_url(spec.source_url) else "",
        **{
            name: value.strip()[: 300 if name == "credit_text" else 200] for name, value in spec.credit_fields().items()
        },
    }


def _matches(image: Image, fields: dict, *, ignore: tuple = ()) -> bool:
    return all(getattr(image, name) == value for name, value in fields.items() if name not in ignore)


def placement_for(spec: ImportedImage, *, candidates: list[Image], user, warnings: list[str]) -> services.PlacementSpec:
    """A placement of the photo ``spec``: an image already there with the same metadata
    (the article's own, or one imported before from the same URL), else a new image —
    with the archived picture when the source had it, else without a file."""
    fields = image_fields(spec)
    role = ArticleImage.Role.LEAD if spec.role == "lead" else ArticleImage.Role.INLINE
    # The article's own photos match on their words: the URL a page or feed shows for a
    # picture (its file, a rendition) is not the source URL the image was imported from.
    found = next((image for image in candidates if _matches(image, fields, ignore=("source_url",))), None)
    if found is None and fields["source_url"]:
        found = next((i for i in Image.objects.filter(source_url=fields["source_url"]) if _matches(i, fields)), None)
    if found is not None:
        return services.PlacementSpec(image=found, role=role)
    if spec.content:
        upload = SimpleUploadedFile(spec.filename or "picture", spec.content)
        try:
            with transaction.atomic():
                image, created = services.image_create(file=upload, user=user, **fields)
        except ValidationError as error:
            warnings.append(
                f"photo {fields['source_url'] or spec.caption[:40]!r} kept without its file: {error.messages[0]}"
            )
        else:
            if created or _matches(image, fields):
                return services.PlacementSpec(image=image, role=role)
            # The library already has these bytes with other words: this use says its own.
            own = {"caption": image.caption, "alt_text": image.alt_text, "credit_text": image.credit_line}
            wanted = {
                "caption": fields["caption"],
                "alt_text": fields["alt_text"],
                "credit_text": Image(**{k: fields[k] for k in services.CREDIT_FIELDS}).credit_line,
            }
            overrides = {name: value for name, value in wanted.items() if value and value != own[name]}
            return services.PlacementSpec(image=image, role=role, **overrides)
    image, _created = services.image_create(user=user, **fields)
    return services.PlacementSpec(image=image, role=role)


def placement_specs(images: list[ImportedImage], *, article: Article | None, user, warnings) -> list:
    candidates = [p.image for p in article.placements.select_related("image")] if article is not None else []
    specs, has_lead = [], False
    for spec in images:
        placement = placement_for(spec, candidates=candidates, user=user, warnings=warnings)
        if placement.role == ArticleImage.Role.LEAD:
            if has_lead:  # one lead only: a second is shown inline
                placement = services.PlacementSpec(**{**placement.__dict__, "role": ArticleImage.Role.INLINE})
            has_lead = True
        specs.append(placement)
    return specs


def section_for(name: str) -> Section | None:
    # No service writes sections yet: a missing one is created here (name and slug only).
    slug = slugify(name, allow_unicode=True)[:100]
    if not slug:
        return None
    section, _created = Section.objects.get_or_create(slug=slug, defaults={"name": name.strip()[:100]})
    return section


def tags_for(names: list[str]) -> list[Tag]:
    # No service writes tags yet: missing ones are created here (name and slug only).
    tags = {}
    for name in names:
        slug = slugify(name, allow_unicode=True)[:100]
        if slug and slug not in tags:
            tags[slug], _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name.strip()[:100]})
    return list(tags.values())


# --- Articles --------------------------------------------------------------------------


def _free_slug(site: Site, published_at, base: str) -> str:
    base = (slugify(base, allow_unicode=True) or "article")[:190]
    if published_at is not None:
        tz = services.site_settings_for(site=site).tzinfo
        taken = Article.objects.filter(site=site, pub_date=timezone.localtime(published_at, tz).date())
    else:
        taken = Article.objects.filter(site=site, pub_date__isnull=True)
    slug, number = base, 2
    while taken.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _slug_from_url(url: str) -> str:
    try:
        parts = [part for part in urlsplit(url).path.split("/") if part]
    except ValueError:
        return ""
    if not parts:
        return ""
    last = parts[-1].rsplit(".", 1)[0] if parts[-1].endswith((".html", ".htm", ".php")) else parts[-1]
    return slugify(last, allow_unicode=True)


def _content_fields(item: ImportedArticle, *, site: Site, own: bool) -> dict:
    """The Article fields the source gives. What it does not give (no dek, no section in a
    text capture) is left out, so a re-import keeps what an editor added since."""
    fields = {"headline": item.headline, "body": item.body}
    if item.dek:
        fields["dek"] = item.dek
    if item.dateline_place:
        fields["dateline_place"] = item.dateline_place[:100]
    # A page prints no dateline country (and not always the agency): keep what is known.
    if item.dateline_country:
        fields["dateline_country"] = item.dateline_country[:2]
    if item.dateline_source:
        fields["dateline_source"] = item.dateline_source[:100]
    if item.section:
        fields["section"] = section_for(item.section)
    if item.language:
        fields["language"] = item.language[:35]
    url = normalise_url(item.url)
    if not own:
        if url:
            fields["canonical_url"] = url[:500]
        publisher = item.source_publisher or item.publisher
        if publisher:
            fields["source_publisher"] = publisher[:200]
    elif item.source_publisher:
        fields["source_publisher"] = item.source_publisher[:200]
    if item.updated_at is not None:
        fields["updated_at"] = item.updated_at
    return fields


def _correction_kind(kind: str) -> str:
    kind = (kind or "").strip().lower()
    return kind if kind in CORRECTION_KINDS else "correction"


def _message(item: ImportedArticle, label: str, verb: str) -> str:
    notes = "; ".join(item.notes)
    message = f"{verb} from {item.format or 'import'} {label}".strip()
    return f"{message} ({notes})" if notes else message


def _comparable(snapshot: dict) -> dict:
    """A snapshot with the body's layout white space between elements ignored."""
    return {**snapshot, "body": re.sub(r">\s+<", "><", snapshot["body"]).strip()}


def import_article(item: ImportedArticle, *, site: Site, publish: bool = False, user=None, label: str = "") -> Outcome:
    """Create or update the article ``item`` describes, in one transaction.

    Raises ``ValidationError`` (a quality gate or a field refused) with nothing written.
    With ``publish``, an imported draft is then published at its original publication
    time; if the gates refuse, the draft is kept and the refusal is returned as a warning.
    """
    warnings: list[str] = []
    if item.updated_at is not None and item.published_at is not None and item.updated_at <= item.published_at:
        item.updated_at = None  # "modified" at first publication: never updated
    with transaction.atomic():
        existing = find_existing(item, site=site)
        own = bool(item.url) and _same_host(item.url, site)
        if existing is not None:
            existing = Article.objects.select_for_update().get(pk=existing.pk)
            before = services.article_snapshot(existing)
            try:
                with transaction.atomic():
                    article = _update(item, existing, site=site, own=own, user=user, label=label, warnings=warnings)
                    after = services.article_snapshot(article)
                    if item.updated_at is None:
                        before.pop("updated_at"), after.pop("updated_at")
                    if _comparable(before) == _comparable(after):
                        raise _Unchanged
                action = UPDATED
            except _Unchanged:
                existing.refresh_from_db()
                article, action, warnings = existing, UNCHANGED, []
        else:
            article = _create(item, site=site, own=own, user=user, label=label, warnings=warnings)
            action = CREATED
        if publish and article.status == Article.Status.DRAFT:
            try:
                with transaction.atomic():
                    services.article_publish(
                        article=article, user=user, published_at=item.published_at, message="Published on import"
                    )
            except ValidationError as error:
                article.refresh_from_db()
                warnings.append("kept as a draft: " + " ".join(error.messages))
            else:
                action = UPDATED if action == UNCHANGED else action
    return Outcome(action=action, article=article, warnings=warnings)


def _create(item: ImportedArticle, *, site: Site, own: bool, user, label: str, warnings: list[str]) -> Article:
    fields = _content_fields(item, site=site, own=own)
    headline = fields.pop("headline")
    slug_base = item.slug or _slug_from_url(item.url) or headline
    article = services.article_create(
        site=site,
        headline=headline,
        user=user,
        message=_message(item, label, "Imported"),
        slug=_free_slug(site, item.published_at, slug_base),
        source_key=item.source_key,
        published_at=item.published_at,
        embargo_until=item.embargo_until,
        bylines=byline_specs(item.bylines, site=site),
        placements=placement_specs(item.images, article=None, user=user, warnings=warnings),
        tags=tags_for(item.tags),
        **fields,
    )
    _add_corrections(item, article, user=user)
    return article


def _update(
    item: ImportedArticle, article: Article, *, site: Site, own: bool, user, label: str, warnings: list[str]
) -> Article:
    fields = _content_fields(item, site=site, own=own)
    if item.published_at is not None and article.status == Article.Status.DRAFT:
        fields["published_at"] = item.published_at
    if not article.source_key and item.source_key:
        fields["source_key"] = item.source_key
    # Relations the source does not give (a capture names nobody) are kept as they are, and
    # so are bylines naming the same people in the same order (a page does not print roles).
    names = [b.display_name.casefold() for b in article.bylines.select_related("author")]
    same_people = [b.name.strip().casefold() for b in item.bylines] == names
    services.article_update(
        article=article,
        user=user,
        message=_message(item, label, "Re-imported"),
        bylines=byline_specs(item.bylines, site=site) if item.bylines and not same_people else None,
        placements=placement_specs(item.images, article=article, user=user, warnings=warnings) if item.images else None,
        tags=tags_for(item.tags) if item.tags else None,
        # The source's own "modified" time is the public "Updated" time when it has one.
        substantive=item.updated_at is None,
        **fields,
    )
    _add_corrections(item, article, user=user)
    return article


def _add_corrections(item: ImportedArticle, article: Article, *, user) -> None:
    """Add the source's corrections the article does not have yet (matched by text).

    A correction whose time the source does not give is dated at the source's last
    modification (that is when it was made, as far as anyone can tell), so the article's
    "Updated" time stays the source's.
    """
    known = {" ".join(text.split()) for text in article.corrections.values_list("text", flat=True)}
    for correction in item.corrections:
        text = " ".join(correction.text.split())
        if text and text not in known:
            known.add(text)
            services.correction_add(
                article=article,
                text=text,
                kind=_correction_kind(correction.kind),
                user=user,
                created_at=correction.created_at or item.updated_at,
            )
