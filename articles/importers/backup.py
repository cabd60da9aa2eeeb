"""Restore the JSON Lines backup written by ``exporters.jsonl``.

A backup is history, not an edit: its revisions, corrections and timestamps must come back
exactly as they were, which no service can do (every service writes a *new* revision,
stamped now). So this module writes the rows itself — the one place in the project that
does — inside one transaction per article, keeping primary keys where they are free (the
ids in ``/a/<id>/`` links and in revision snapshots stay true in an empty database).

An article that is already in the database (same id and creation time, or the same
source key) is left alone when its last revision is the backup's last revision
("unchanged"), and skipped with a reason when the two differ: a restore never overwrites
newer work.
"""

from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction

from .. import pagecache, services
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
from .base import ImportRejected, NotAnArticle
from .writer import CREATED, UNCHANGED, Outcome

BACKUP_FORMAT = "newsroom-backup"
SUPPORTED_VERSIONS = {1}


class BackupConflict(NotAnArticle):
    """The database holds this article with other revisions: it is skipped, not written."""


def _fields(model, row: dict, *, skip=()) -> dict:
    """Model field values from a backup row (non-relational columns it has)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.is_relation or field.primary_key or field.name in skip or field.name not in row:
            continue
        values[field.attname] = field.to_python(row[field.name])
    return values


def _auto_stamped(model) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


class Restorer:
    """Restores backup records; keeps small lookups (users, sites) for the whole run."""

    def __init__(self, *, site: Site | None = None):
        self.site_override = site
        self.users: dict[str, object] = {}
        self.sites: dict[str, Site] = {}

    # --- Shared rows -----------------------------------------------------------------------

    def user(self, username: str | None):
        if not username:
            return None
        if username not in self.users:
            self.users[username] = get_user_model().objects.filter(username=username).first()
        return self.users[username]

    def site(self, data: dict) -> Site:
        domain = data["domain"]
        site = Site.objects.filter(domain=domain).first()
        if site is None:
            # No service creates sites: a site the backup needs is made from its domain and name.
            pk = data.get("id")
            free = pk is not None and not Site.objects.filter(pk=pk).exists()
            site = Site.objects.create(**({"pk": pk} if free else {}), domain=domain, name=data.get("name") or domain)
            services.site_settings_for(site=site)
            self._explicit.add(Site)
        return site

    def _insert(self, model, values: dict, pk=None):
        """Insert one row as it was (no ``save()``: stored values are not recomputed),
        with its old primary key when that is free, and its timestamps as they were."""
        obj = model(**values)
        if pk is not None and not model.objects.filter(pk=pk).exists():
            obj.pk = pk
            self._explicit.add(model)
        model.objects.bulk_create([obj])
        stamps = {name: values[name] for name in _auto_stamped(model) if name in values}
        if stamps:
            model.objects.filter(pk=obj.pk).update(**stamps)
        return obj

    def author(self, row: dict) -> Author:
        found = Author.objects.filter(slug=row["slug"]).first()
        if found is not None:
            return found
        values = _fields(Author, row)
        values["user_id"] = getattr(self.user(row.get("user")), "pk", None)
        if values["user_id"] and Author.objects.filter(user_id=values["user_id"]).exists():
            values["user_id"] = None
        return self._insert(Author, values, pk=row.get("id"))

    def image(self, row: dict) -> Image:
        values = _fields(Image, row)
        if row.get("id") is not None:
            same = Image.objects.filter(pk=row["id"], created_at=values.get("created_at")).first()
            if same is not None:
                return same
        if values.get("sha256"):
            same = Image.objects.filter(sha256=values["sha256"]).first()
            if same is not None:
                return same
        values["uploaded_by_id"] = getattr(self.user(row.get("uploaded_by")), "pk", None)
        return self._insert(Image, values, pk=row.get("id"))

    # --- Articles --------------------------------------------------------------------------

    def existing(self, row: dict, site: Site, created_at) -> Article | None:
        found = Article.objects.filter(pk=row.get("id"), created_at=created_at).first()
        if found is None and row.get("source_key"):
            found = Article.objects.filter(site=site, source_key=row["source_key"]).first()
        return found

    def restore(self, record: dict) -> Outcome:
        """Restore one article record in one transaction (see the module docstring)."""
        try:
            with transaction.atomic():
                return self._restore(record)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ImportRejected(f"malformed backup record ({type(error).__name__}: {error})") from error
        except IntegrityError as error:
            raise ImportRejected(f"the database refused the record: {error}") from error

    def _restore(self, record: dict) -> Outcome:
        if record.get("type") != "article":
            raise ImportRejected(f"not an article record (type {record.get('type')!r})")
        self._explicit: set = set()
        row = record["article"]
        site = self.site_override or self.site(record["site"])
        values = _fields(Article, row)
        existing = self.existing(row, site, values.get("created_at"))
        revisions = sorted(record.get("revisions") or [], key=lambda r: r["number"])
        if existing is not None:
            last = existing.revisions.order_by("-number").values_list("number", "created_at").first()
            backup_last = (
                (revisions[-1]["number"], Revision._meta.get_field("created_at").to_python(revisions[-1]["created_at"]))
                if revisions
                else None
            )
            if last == backup_last:
                return Outcome(action=UNCHANGED, article=existing)
            ours = last[0] if last else "none"
            theirs = backup_last[0] if backup_last else "none"
            raise BackupConflict(
                f"article {existing.pk} is in the database with other revisions "
                f"(last {ours}, backup {theirs}): not overwritten"
            )

        section = row.get("section")
        if section:
            values["section_id"] = Section.objects.get_or_create(
                slug=section["slug"], defaults={"name": section["name"]}
            )[0].pk
        values["site_id"] = site.pk
        values["created_by_id"] = getattr(self.user(row.get("created_by")), "pk", None)
        article = self._insert(Article, values, pk=row.get("id"))

        article.sites.set([self.site(data) for data in record.get("sites") or []])
        article.tags.set(
            [
                Tag.objects.get_or_create(slug=t["slug"], defaults={"name": t["name"]})[0]
                for t in record.get("tags") or []
            ]
        )
        Byline.objects.bulk_create(
            Byline(
                article=article,
                author=self.author(b["author"]) if b.get("author") else None,
                role=b["role"],
                position=b["position"],
                credit_text=b.get("credit_text", ""),
            )
            for b in record.get("bylines") or []
        )
        ArticleImage.objects.bulk_create(
            ArticleImage(
                article=article,
                image=self.image(p["image"]),
                role=p["role"],
                position=p["position"],
                caption=p.get("caption", ""),
                alt_text=p.get("alt_text", ""),
                credit_text=p.get("credit_text", ""),
            )
            for p in record.get("placements") or []
        )
        stored = Revision.objects.bulk_create(
            Revision(
                article=article,
                number=r["number"],
                snapshot=r["snapshot"],
                status=r["status"],
                is_published=r.get("is_published", False),
                message=r.get("message", ""),
                user=self.user(r.get("user")),
                created_at=Revision._meta.get_field("created_at").to_python(r["created_at"]),
            )
            for r in revisions
        )
        by_number = {revision.number: revision for revision in stored}
        if any(revision.pk is None for revision in stored):  # a backend that returns no ids
            by_number = {r.number: r for r in Revision.objects.filter(article=article)}
        Correction.objects.bulk_create(
            Correction(
                article=article,
                kind=c["kind"],
                text=c["text"],
                created_at=Correction._meta.get_field("created_at").to_python(c["created_at"]),
                revision=by_number.get(c.get("revision")),
            )
            for c in record.get("corrections") or []
        )
        for entry in record.get("slug_history") or []:
            history_site = Site.objects.filter(domain=entry["site"]).first() or site
            self._insert(
                SlugHistory,
                {
                    "article_id": article.pk,
                    "site_id": history_site.pk,
                    **_fields(SlugHistory, entry),
                },
            )
        self._reset_sequences()
        # Rows written without save() send no signal: drop the cached pages here.
        pagecache.invalidate([site.pk], everywhere=True, article_ids=[article.pk])
        return Outcome(action=CREATED, article=article)

    def _reset_sequences(self) -> None:
        """After inserting rows with their old ids, move PostgreSQL's id sequences past
        them, so the next ordinary insert does not collide (SQLite needs nothing)."""
        if not self._explicit or connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), sorted(self._explicit, key=str)):
                cursor.execute(statement)
