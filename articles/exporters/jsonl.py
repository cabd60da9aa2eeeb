"""JSON Lines backup: every article with everything it is made of, one article a line.

The first line is a header (``{"type": "header", "format": "newsroom-backup", "version":
1, …}``); each further line is one article::

    {"type": "article",
     "site": {"id", "domain", "name"}, "sites": [...syndicated sites...],
     "article": {every column of the article; "section" {slug, name}; "created_by" username},
     "tags": [{slug, name}],
     "bylines": [{position, role, credit_text, "author": {every column; "user" username}}],
     "placements": [{position, role, caption, alt_text, credit_text,
                     "image": {every column, "file" the storage name; "uploaded_by" username}}],
     "corrections": [{kind, text, created_at, "revision": number}],
     "revisions": [{number, snapshot, status, is_published, message, user, created_at}],
     "slug_history": [{site, pub_date, slug, created_at}]}

Rows keep their primary keys (so ``/a/<id>/`` links and the ids inside revision snapshots
stay true after a restore) and every timestamp. Users are named by username: accounts are
not part of an article backup. Image *files* are not embedded: they live in the media
storage, which is backed up as files (or carried by the WARC export); the backup keeps
each image's storage name, size, checksum and renditions list so the rows point at them
again. ``importers.backup`` restores this format.
"""

import json
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import FileField, Prefetch
from django.utils import timezone

from ..models import Article, ArticleImage, Byline

BACKUP_FORMAT = "newsroom-backup"
BACKUP_VERSION = 1


def _value(field, obj):
    value = field.value_from_object(obj)
    if isinstance(field, FileField):
        return value.name or ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def model_row(obj, *, exclude: Iterable[str] = ()) -> dict:
    """Every non-relational column of ``obj`` as JSON-ready data, by field name."""
    skip = set(exclude)
    return {
        field.name: _value(field, obj)
        for field in obj._meta.concrete_fields
        if not field.is_relation and field.name not in skip
    }


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _site(site) -> dict:
    return {"id": site.pk, "domain": site.domain, "name": site.name}


def backup_queryset(queryset=None):
    """Articles with every relation the backup writes, prefetched in a fixed number of
    queries per chunk (use with ``.iterator(chunk_size=…)``)."""
    queryset = Article.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("site", "section", "created_by")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author", "author__user").order_by("position")),
            Prefetch(
                "placements",
                queryset=ArticleImage.objects.select_related("image", "image__uploaded_by").order_by("position"),
            ),
            "sites",
            "tags",
            "corrections__revision",
            "revisions__user",
            "slug_history__site",
        )
        .order_by("pk")
    )


def article_record(article: Article) -> dict:
    """The backup line of one article (loaded with ``backup_queryset``)."""
    row = model_row(article, exclude=["id"])
    row["id"] = article.pk
    row["section"] = {"slug": article.section.slug, "name": article.section.name} if article.section_id else None
    row["created_by"] = _username(article.created_by)
    return {
        "type": "article",
        "site": _site(article.site),
        "sites": [_site(site) for site in sorted(article.sites.all(), key=lambda s: s.pk)],
        "article": row,
        "tags": [{"slug": tag.slug, "name": tag.name} for tag in sorted(article.tags.all(), key=lambda t: t.slug)],
        "bylines": [
            {
                "position": byline.position,
                "role": byline.role,
                "credit_text": byline.credit_text,
                "author": (
                    {**model_row(byline.author), "user": _username(byline.author.user)} if byline.author_id else None
                ),
            }
            for byline in article.bylines.all()
        ],
        "placements": [
            {
                "position": placement.position,
                "role": placement.role,
                "caption": placement.caption,
                "alt_text": placement.alt_text,
                "credit_text": placement.credit_text,
                "image": {**model_row(placement.image), "uploaded_by": _username(placement.image.uploaded_by)},
            }
            for placement in article.placements.all()
        ],
        "corrections": [
            {
                "kind": correction.kind,
                "text": correction.text,
                "created_at": correction.created_at.isoformat(),
                "revision": correction.revision.number if correction.revision_id else None,
            }
            for correction in article.corrections.all()
        ],
        "revisions": [
            {
                "number": revision.number,
                "snapshot": revision.snapshot,
                "status": revision.status,
                "is_published": revision.is_published,
                "message": revision.message,
                "user": _username(revision.user),
                "created_at": revision.created_at.isoformat(),
            }
            for revision in sorted(article.revisions.all(), key=lambda r: r.number)
        ],
        "slug_history": [
            {
                "site": entry.site.domain,
                "pub_date": entry.pub_date.isoformat(),
                "slug": entry.slug,
                "created_at": entry.created_at.isoformat(),
            }
            for entry in sorted(article.slug_history.all(), key=lambda e: e.pk)
        ],
    }


def header(count: int | None = None) -> dict:
    data = {
        "type": "header",
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "exported_at": timezone.now().isoformat(),
    }
    if count is not None:
        data["articles"] = count
    return data


def write_jsonl(articles: Iterable[Article], out, *, count: int | None = None, on_item=None) -> int:
    """Write the header and one line per article to the text stream ``out``."""
    out.write(json.dumps(header(count), ensure_ascii=False) + "\n")
    written = 0
    for article in articles:
        out.write(json.dumps(article_record(article), ensure_ascii=False, separators=(",", ":")) + "\n")
        written += 1
        if on_item is not None:
            on_item(article)
    return written
