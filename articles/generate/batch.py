"""One batch of generated articles, as rows for each table (in the column order of
``COLUMNS``), with the revision snapshots in ``article_snapshot``'s format."""

import bisect
import itertools
import random
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..credits import render_credit_line
from . import text
from . import words as w
from .plan import HOUR_CUMULATIVE, Batch, Context

COLUMNS = {
    "article": (
        "id", "site_id", "headline", "slug", "dek", "dateline_place", "dateline_country", "dateline_source", "body",
        "word_count", "language", "section_id", "status", "embargo_until", "published_at", "pub_date", "updated_at",
        "withdrawn_at", "withdrawn_reason", "source_publisher", "canonical_url", "source_key", "comments_mode",
        "version", "created_by_id", "created_at", "modified_at",
    ),
    "site": ("id", "article_id", "site_id"),
    "tag": ("id", "article_id", "tag_id"),
    "byline": ("id", "article_id", "author_id", "role", "position", "credit_text"),
    "image": (
        "id", "file", "width", "height", "sha256", "original_filename", "alt_text", "is_decorative", "caption",
        "creator", "agency", "distributor", "copyright_notice", "credit_text", "is_staff_photo", "source_url",
        "metadata", "renditions", "uploaded_by_id", "created_at", "updated_at",
    ),
    "placement": ("id", "article_id", "image_id", "role", "position", "caption", "alt_text", "credit_text"),
    "revision": (
        "id", "article_id", "number", "snapshot", "status", "is_published", "message", "user_id", "created_at",
    ),
    "correction": ("id", "article_id", "kind", "text", "revision_id", "created_at"),
}  # fmt: skip
JSON_COLUMNS = {"image": ("metadata", "renditions"), "revision": ("snapshot",)}
TABLE_ORDER = ("image", "article", "site", "tag", "byline", "placement", "revision", "correction")

COMMENT_MODES = ("inherit",) * 95 + ("closed",) * 3 + ("hidden", "open")
PHOTO_COUNTS = (0,) * 25 + (1,) * 40 + (2,) * 20 + (3,) * 10 + (4,) * 5


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class Rows:
    """The rows of one batch, by table, and the counts to report."""

    tables: dict = field(default_factory=lambda: {name: [] for name in COLUMNS})
    statuses: dict = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


@dataclass
class _Photo:
    image_id: int
    caption: str
    alt_text: str
    creator: str
    agency: str
    distributor: str
    copyright_notice: str
    credit_text: str
    file: str

    @property
    def credit_line(self) -> str:
        return self.credit_text or render_credit_line(
            creator=self.creator, agency=self.agency, distributor=self.distributor
        )


class BatchWriter:
    """Generates the rows of one batch. ``taken`` holds (site id, date, slug) already used
    in the database (appending to an archive); the batch adds its own as it goes."""

    def __init__(self, ctx: Context, pool: text.SentencePool, batch: Batch, taken: set | None = None):
        self.ctx, self.pool, self.batch = ctx, pool, batch
        self.rng = random.Random(f"{ctx.seed}:batch:{batch.number}")
        self.taken = taken if taken is not None else set()
        self.rows = Rows()
        self.next_ids = {table: ctx.child_id(table, batch.first_index) for table in ("byline", "image", "placement")}
        self.next_ids |= {t: ctx.child_id(t, batch.first_index) for t in ("tag", "site", "revision", "correction")}
        self.zones = {site.id: zoneinfo.ZoneInfo(site.time_zone) for site in ctx.sites}
        self.site_cumulative = list(itertools.accumulate(s.weight for s in ctx.sites))
        self.start = datetime(ctx.first_day.year, ctx.first_day.month, ctx.first_day.day, tzinfo=UTC)
        self.span = (ctx.anchor - self.start).total_seconds()
        self.tag_cumulative = text.zipf_cumulative(len(ctx.tags), exponent=0.9)
        self.window = max(8, len(ctx.persons) // 5)
        self.career_cumulative = text.zipf_cumulative(self.window, exponent=0.8)
        self.recent_photos: list[_Photo] = []

    def _id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] += 1
        return value

    def run(self) -> Rows:
        rng, ctx = self.rng, self.ctx
        index = self.batch.first_index
        for day, n in self.batch.days:
            on = ctx.first_day + timedelta(days=day)
            planned = []
            for _ in range(n):
                site = ctx.sites[bisect.bisect(self.site_cumulative, rng.random() * self.site_cumulative[-1])]
                hour = bisect.bisect(HOUR_CUMULATIVE, rng.random() * HOUR_CUMULATIVE[-1])
                local = datetime(on.year, on.month, on.day, hour, rng.randrange(60), rng.randrange(60))
                moment = local.replace(tzinfo=self.zones[site.id]).astimezone(UTC)
                planned.append((moment, site))
            planned.sort(key=lambda item: item[0])
            for moment, site in planned:
                self.article(ctx.bases["article"] + index, site, moment, future=moment >= ctx.anchor)
                index += 1
        return self.rows

    # --- People, photos ---------------------------------------------------------------

    def _staff(self, fraction: float, exclude=()) -> tuple[int, str]:
        persons = self.ctx.persons
        start = int(fraction * max(0, len(persons) - self.window))
        while True:
            pick = bisect.bisect(self.career_cumulative, self.rng.random() * self.career_cumulative[-1])
            person = persons[min(len(persons) - 1, start + pick)]
            if person[0] not in exclude or len(persons) <= len(exclude):
                return person

    def _bylines(self, fraction: float, wire) -> list[dict]:
        rng = self.rng
        if wire is not None:
            author_id, name, credit = wire
            bylines = [{"author": author_id, "author_name": name, "role": "author", "credit_text": credit}]
            if rng.random() < 0.3:
                staff = self._staff(fraction)
                bylines.append({"author": staff[0], "author_name": staff[1], "role": "additional_reporting"})
        else:
            count = rng.choice((1, 1, 1, 1, 2, 2, 3))
            seen: set[int] = set()
            bylines = []
            for i in range(count):
                staff = self._staff(fraction, exclude=seen)
                seen.add(staff[0])
                role = (
                    ("reporter", "author")[rng.random() < 0.3]
                    if i == 0
                    else rng.choice(("additional_reporting", "contributor", "reporter", "photographer"))
                )
                bylines.append({"author": staff[0], "author_name": staff[1], "role": role})
        for position, byline in enumerate(bylines):
            byline.setdefault("credit_text", "")
            byline["position"] = position
        return bylines

    def _new_photo(self, fraction: float, site, names: text.Names, when: datetime) -> _Photo:
        rng, ctx = self.rng, self.ctx
        picture = rng.choice(ctx.pictures)
        kind = rng.random()
        creator, agency, distributor, credit_text, staff = "", "", "", "", False
        if kind < 0.55:
            creator = text.person_name(rng)
            agency, distributor = rng.choice(w.PHOTO_AGENCIES)
            owner = agency
        elif kind < 0.87:
            creator, agency, staff = self._staff(fraction)[1], site.name, True
            owner = site.name
        elif kind < 0.95:
            agency, distributor = "Handout", rng.choice(("Reuters", "AFP", "Getty Images"))
            owner = distributor
        else:
            credit_text = f"Courtesy of the {names.place} City Archive"
            owner = f"{names.place} City Archive"
        photo = _Photo(
            image_id=self._id("image"),
            caption=text.sentence_text(rng, self.pool, names),
            alt_text=text.sentence_text(rng, self.pool, names)[:500],
            creator=creator,
            agency=agency,
            distributor=distributor,
            copyright_notice=f"© {when.year} {owner}",
            credit_text=credit_text,
            file=picture.name,
        )
        self.rows.tables["image"].append((
            photo.image_id, picture.name, picture.width, picture.height, "", f"IMG_{rng.randrange(10000):04d}.jpg",
            photo.alt_text, False, photo.caption, creator, agency, distributor, photo.copyright_notice,
            credit_text, staff, "", {}, picture.renditions, None, when, when,
        ))  # fmt: skip
        self.recent_photos.append(photo)
        if len(self.recent_photos) > 50:
            del self.recent_photos[:25]
        return photo

    def _placements(self, fraction, site, names, when) -> list[dict]:
        rng = self.rng
        count = rng.choice(PHOTO_COUNTS)
        lead = rng.random() < 0.85
        placements = []
        for position in range(count):
            reuse = self.recent_photos and rng.random() < 0.08
            photo = rng.choice(self.recent_photos) if reuse else self._new_photo(fraction, site, names, when)
            if any(p["photo"].image_id == photo.image_id for p in placements):
                photo = self._new_photo(fraction, site, names, when)
            caption = text.sentence_text(rng, self.pool, names) if reuse and rng.random() < 0.5 else ""
            placements.append({
                "photo": photo, "position": position, "role": "lead" if lead and position == 0 else "inline",
                "overrides": {"caption": caption, "alt_text": "", "credit_text": ""},
            })  # fmt: skip
        return placements

    # --- Articles -----------------------------------------------------------------------

    def _slug(self, site_id: int, pub_date, headline: str, article_id: int) -> str:
        slug = text.slug_for(headline)
        if pub_date is None:
            # Unpublished: unique per site over the whole archive, whichever batch made it.
            return f"{slug[:70]}-{article_id}"
        candidate, n = slug, 1
        while (site_id, pub_date, candidate) in self.taken:
            n += 1
            candidate = f"{slug}-{n}"
        self.taken.add((site_id, pub_date, candidate))
        return candidate

    def article(self, article_id: int, site, moment: datetime, *, future: bool) -> None:
        rng, ctx, rows = self.rng, self.ctx, self.rows
        fraction = max(0.0, min(1.0, (moment - self.start).total_seconds() / self.span))
        if future:
            status = "scheduled" if rng.random() < 0.85 else "draft"
        else:
            r = rng.random()
            status = "draft" if r < 0.035 else "withdrawn" if r < 0.045 else "published"
        place, country = rng.choice(w.PLACES)
        names = text.Names(text.person_name(rng), text.person_name(rng), place, text.coined_name(rng, self.pool))
        wire = rng.choice(ctx.agencies) if ctx.agencies and rng.random() < 0.1 else None
        headline = self.pool.headline(rng, place)
        dek = text.sentence_text(rng, self.pool, names, rng.choice((1, 1, 2)))
        parts = text.paragraphs(rng, self.pool, names, text.body_length(rng))
        created = moment - timedelta(minutes=rng.randint(15, 480))
        if future:
            created = min(created, ctx.anchor - timedelta(minutes=rng.randint(5, 4000)))
        bylines = self._bylines(fraction, wire)
        placements = self._placements(fraction, site, names, created - timedelta(minutes=rng.randint(1, 600)))
        edited = len(parts) >= 4 and rng.random() < 0.3
        first_parts = parts[:-1] if edited else parts
        inline = [p["position"] for p in placements if p["role"] == "inline"]
        figures = {min(len(first_parts) - 1, 1 + 2 * i): position for i, position in enumerate(inline)}
        body, word_count = text.join_body(parts, figures)
        published_body, published_words = text.join_body(first_parts, figures) if edited else (body, word_count)
        draft_body, draft_words = text.join_body(first_parts[: max(2, len(first_parts) // 2)], {})  # first draft

        tag_ids = set()
        for _ in range(rng.choice((0, 1, 2, 2, 3, 3, 4, 5))):
            tag_ids.add(bisect.bisect(self.tag_cumulative, rng.random() * self.tag_cumulative[-1]))
        tags = sorted((ctx.tags[i] for i in tag_ids), key=lambda tag: tag[1])  # by slug, as snapshots list them
        syndicated = (
            [ctx.sites[1].id] if len(ctx.sites) > 1 and site.id == ctx.sites[0].id and rng.random() < 0.04 else []
        )
        section = rng.choice(ctx.sections) if ctx.sections and rng.random() < 0.95 else None
        tz = self.zones[site.id]

        state = {
            "id": article_id, "site": site.id, "sites": syndicated, "headline": headline, "dek": dek,
            "dateline": {"place": place, "country": country, "source": wire[1] if wire else ""},
            "language": site.language, "section": section[1] if section else None,
            "tags": [slug for _id, slug in tags], "embargo_until": None, "withdrawn_reason": "",
            "source_publisher": "", "canonical_url": "", "comments_mode": rng.choice(COMMENT_MODES),
        }  # fmt: skip
        revisions = []  # (time, status, message, is_published, body, words, published_at, updated_at, corrections)
        corrections: list[dict] = []
        published_at = updated_at = withdrawn_at = None
        revisions.append((created, "draft", "Created", False, draft_body, draft_words, None, None, []))
        if status == "draft":
            published_body, published_words = body, word_count
            later = created + timedelta(minutes=rng.randint(10, 4000))
            if rng.random() < 0.3 and later < ctx.anchor:
                revisions.append((later, "draft", "Edited", False, body, word_count, None, None, []))
            else:
                revisions[0] = (created, "draft", "Created", False, body, word_count, None, None, [])
        elif status == "scheduled":
            published_at = moment
            scheduled = min(created + timedelta(minutes=rng.randint(5, 120)), ctx.anchor - timedelta(seconds=1))
            created = min(created, scheduled - timedelta(seconds=1))
            revisions[0] = (created, "draft", "Created", False, draft_body, draft_words, None, None, [])
            revisions.append((scheduled, "scheduled", "Scheduled", False, body, word_count, moment, None, []))
        else:
            published_at = moment
            revisions.append(
                (moment, "published", "Published", True, published_body, published_words, moment, None, [])
            )
            last = moment
            if edited:
                last = moment + timedelta(minutes=rng.randint(20, 2880))
                if last < ctx.anchor:
                    updated_at = last
                    revisions.append((last, "published", "Edited", True, body, word_count, moment, last, []))
                else:
                    body, word_count, last = published_body, published_words, moment
            if rng.random() < 0.025:
                when = last + timedelta(minutes=rng.randint(60, 14400))
                if when < ctx.anchor:
                    kind, template = rng.choice(w.CORRECTION_TEMPLATES)
                    correction_text = template.format(
                        noun=rng.choice(("budget", "turnout", "population", "cost", "distance")),
                        n=f"{rng.randint(11, 999):,}", m=f"{rng.randint(1000, 9999):,}", person=names.person_a,
                    )  # fmt: skip
                    corrections = [{"kind": kind, "text": correction_text, "created_at": when}]
                    updated_at = last = when
                    label = {"correction": "Correction", "clarification": "Clarification", "update": "Update"}[kind]
                    revisions.append(
                        (when, "published", f"{label} added", True, body, word_count, moment, when, corrections)
                    )
            if status == "withdrawn":
                when = last + timedelta(hours=rng.randint(2, 4800))
                if when < ctx.anchor:
                    withdrawn_at = when
                    state["withdrawn_reason"] = rng.choice(w.WITHDRAWN_REASONS)
                    revisions.append(
                        (when, "withdrawn", "Withdrawn", False, body, word_count, moment, updated_at, corrections)
                    )
                else:
                    status = "published"
        pub_date = published_at.astimezone(tz).date() if published_at else None
        slug = self._slug(site.id, pub_date, headline, article_id)
        rows.count(status)

        tables = rows.tables
        for byline in bylines:
            tables["byline"].append((
                self._id("byline"), article_id, byline["author"], byline["role"], byline["position"],
                byline["credit_text"],
            ))  # fmt: skip
        image_entries = []
        for p in placements:
            photo, overrides = p["photo"], p["overrides"]
            tables["placement"].append((
                self._id("placement"), article_id, photo.image_id, p["role"], p["position"], overrides["caption"],
                "", "",
            ))  # fmt: skip
            image_entries.append({
                "image": photo.image_id, "role": p["role"], "position": p["position"],
                "caption": overrides["caption"] or photo.caption, "alt_text": photo.alt_text,
                "credit": photo.credit_line, "creator": photo.creator, "agency": photo.agency,
                "distributor": photo.distributor, "copyright_notice": photo.copyright_notice, "file": photo.file,
                "overrides": overrides,
            })  # fmt: skip
        for tag_id, _slug in tags:
            tables["tag"].append((self._id("tag"), article_id, tag_id))
        for other in syndicated:
            tables["site"].append((self._id("site"), article_id, other))

        byline_entries = [
            {"author": b["author"], "author_name": b["author_name"], "role": b["role"], "position": b["position"],
             "credit_text": b["credit_text"]}
            for b in bylines
        ]  # fmt: skip
        correction_revision = None
        for number, (when, rev_status, message, public, rev_body, rev_words, rev_pub, rev_upd, rev_corr) in enumerate(
            revisions, start=1
        ):
            revision_id = self._id("revision")
            rev_date = rev_pub.astimezone(tz).date().isoformat() if rev_pub else None
            snapshot = {
                "id": article_id, "site": site.id, "sites": state["sites"], "headline": headline,
                "slug": slug, "dek": dek, "dateline": state["dateline"], "body": rev_body,
                "word_count": rev_words, "language": state["language"], "section": state["section"],
                "tags": state["tags"], "status": rev_status, "embargo_until": None, "published_at": _iso(rev_pub),
                "pub_date": rev_date, "updated_at": _iso(rev_upd),
                "withdrawn_reason": state["withdrawn_reason"] if rev_status == "withdrawn" else "",
                "source_publisher": "", "canonical_url": "", "comments_mode": state["comments_mode"],
                "bylines": byline_entries, "images": image_entries,
                "corrections": [
                    {"kind": c["kind"], "text": c["text"], "created_at": _iso(c["created_at"])} for c in rev_corr
                ],
            }  # fmt: skip
            tables["revision"].append(
                (revision_id, article_id, number, snapshot, rev_status, public, message, None, when)
            )
            if rev_corr and correction_revision is None:
                correction_revision = revision_id
        for c in corrections:
            tables["correction"].append(
                (self._id("correction"), article_id, c["kind"], c["text"], correction_revision, c["created_at"])
            )
        modified = revisions[-1][0]
        section_id = section[0] if section else None
        tables["article"].append((
            article_id, site.id, headline, slug, dek, place, country, state["dateline"]["source"], body, word_count,
            site.language, section_id, status, None, published_at, pub_date, updated_at, withdrawn_at,
            state["withdrawn_reason"], "", "", "", state["comments_mode"], len(revisions), None, created, modified,
        ))  # fmt: skip
