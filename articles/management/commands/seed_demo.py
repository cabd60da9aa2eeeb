"""``manage.py seed_demo``: load the original demo content of ``articles.demo``.

Everything is written through ``articles.services`` (the same functions the admin and the
API call), so the demo passes the same quality gates as real copy. Safe to run again:
sites, authors, sections and tags are looked up by domain or slug, articles by site and
slug, and photos by the SHA-256 of their (deterministic) bytes. A site's settings are
configured only while nobody has changed them (version 1), so re-seeding never undoes an
editor's choice such as switching commenting back on.
"""

from collections import Counter
from datetime import datetime, time, timedelta

from django.contrib.sites.models import Site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import demo, services
from articles.models import Article, Author, Image, Section, Tag


class Command(BaseCommand):
    help = (
        "Load original demo content (two sites, authors, Pillow-drawn photos with credits, articles) "
        "through the services. Running it again creates nothing new."
    )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        self.outcomes: Counter[str] = Counter()  # created / updated / kept
        now = timezone.now()

        sites = {spec.domain: self.ensure_site(spec) for spec in demo.SITES}
        Site.objects.clear_cache()  # names may have changed; the cache is per process
        sections = self.ensure_named(Section, "sections", demo.SECTIONS.items())
        tag_names = dict.fromkeys(name for spec in demo.ARTICLES for name in spec.tags)
        tags = self.ensure_named(Tag, "tags", ((slugify(name), name) for name in tag_names))
        authors = {spec.slug: self.ensure_author(spec) for spec in demo.AUTHORS}
        photos = {spec.key: self.ensure_photo(spec) for spec in demo.PHOTOS}
        articles = [
            self.ensure_article(
                spec, sites=sites, sections=sections, tags=tags, authors=authors, photos=photos, now=now
            )
            for spec in demo.ARTICLES
        ]

        states = Counter(self.state(article, now=now) for article in articles)
        breakdown = ", ".join(
            f"{states[state]} {state}" for state in ("published", "scheduled", "draft", "withdrawn") if states[state]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {self.outcomes['created']} created, {self.outcomes['updated']} updated, "
                f"{self.outcomes['kept']} already there; {len(sites)} sites, {len(authors)} authors, "
                f"{len(photos)} photos, {len(articles)} articles ({breakdown})."
            )
        )

    # --- Output ---------------------------------------------------------------------------

    def report(self, kind: str, outcome: str, text: str) -> None:
        self.outcomes[outcome] += 1
        if self.verbosity >= 1:
            self.stdout.write(f"  {outcome:<7}  {kind:<8} {text}")

    @staticmethod
    def state(article: Article, *, now: datetime) -> str:
        if article.is_published(now=now):
            return "published"
        return {Article.Status.SCHEDULED: "scheduled", Article.Status.WITHDRAWN: "withdrawn"}.get(
            article.status, "draft"
        )

    # --- Sites ----------------------------------------------------------------------------

    @transaction.atomic
    def ensure_site(self, spec: demo.SiteSpec) -> Site:
        if spec.is_default:
            site, created = Site.objects.get_or_create(pk=1, defaults={"domain": spec.domain, "name": spec.name})
        else:
            site, created = Site.objects.get_or_create(domain=spec.domain, defaults={"name": spec.name})
        site_settings = services.site_settings_for(site=site)
        untouched = site_settings.version == 1
        if untouched:
            if site.name != spec.name:
                site.name = spec.name
                site.full_clean()
                site.save()
            services.site_settings_update(
                site_settings=site_settings,
                publisher_name=spec.name,
                time_zone=spec.time_zone,
                comments_enabled=spec.comments_enabled,
                comments_notice=spec.comments_notice,
            )
        commenting = "on" if site_settings.comments_enabled else f"off (“{site_settings.comments_notice}”)"
        self.report(
            "site",
            "created" if created else "updated" if untouched else "kept",
            f"{site.domain}  “{site.name}”, {site_settings.time_zone}, commenting {commenting}",
        )
        return site

    # --- Authors, sections, tags ----------------------------------------------------------

    def ensure_author(self, spec: demo.AuthorSpec) -> Author:
        author = Author.objects.filter(slug=spec.slug).first()
        created = author is None
        if created:
            author = Author(
                slug=spec.slug,
                name=spec.name,
                kind=spec.kind,
                affiliation=spec.affiliation,
                bio=spec.bio,
                is_staff_member=spec.is_staff_member,
            )
            author.full_clean()
            author.save()
        self.report("author", "created" if created else "kept", f"{author.slug}  {author.name} ({author.affiliation})")
        return author

    def ensure_named(self, model, label: str, items) -> dict:
        """Get or create ``model`` rows (sections or tags) by slug; one output line for all."""
        rows, made = {}, []
        for slug, name in items:
            row, created = model.objects.get_or_create(slug=slug, defaults={"name": name})
            self.outcomes["created" if created else "kept"] += 1
            if created:
                made.append(row.name)
            rows[slug] = row
        if self.verbosity >= 1:
            outcome = "created" if made else "kept"
            self.stdout.write(f"  {outcome:<7}  {label:<8} {', '.join(made) if made else len(rows)}")
        return rows

    # --- Photos ---------------------------------------------------------------------------

    def ensure_photo(self, spec: demo.PhotoSpec) -> Image:
        upload = SimpleUploadedFile(
            f"{spec.key}.jpg", demo.picture_bytes(spec.scene, spec.label), content_type="image/jpeg"
        )
        image, created = services.image_create(
            file=upload,
            alt_text=spec.alt_text,
            caption=spec.caption,
            creator=spec.creator,
            agency=spec.agency,
            distributor=spec.distributor,
            copyright_notice=spec.copyright_notice,
            credit_text=spec.credit_text,
        )
        self.report(
            "photo",
            "created" if created else "kept",
            f"{spec.key}  {image.width}×{image.height}  credit “{image.credit_line}”",
        )
        return image

    # --- Articles -------------------------------------------------------------------------

    def ensure_article(
        self,
        spec: demo.ArticleSpec,
        *,
        sites: dict[str, Site],
        sections: dict[str, Section],
        tags: dict[str, Tag],
        authors: dict[str, Author],
        photos: dict[str, Image],
        now: datetime,
    ) -> Article:
        site = sites[spec.site]
        article = Article.objects.filter(site=site, slug=spec.slug).first()
        if article is not None:
            self.report("article", "kept", self.describe(article, now=now))
            return article

        with transaction.atomic():
            article = services.article_create(
                site=site,
                headline=spec.headline,
                slug=spec.slug,
                dek=spec.dek,
                body=spec.body,
                dateline_place=spec.dateline_place,
                dateline_country=spec.dateline_country,
                dateline_source=spec.dateline_source,
                section=sections[spec.section],
                tags=[tags[slugify(name)] for name in spec.tags],
                sites=[sites[domain] for domain in spec.also_on],
                bylines=[
                    services.BylineSpec(author=authors[b.author], role=b.role, credit_text=b.credit_text)
                    for b in spec.bylines
                ],
                placements=[
                    services.PlacementSpec(image=photos[key], role="lead" if i == 0 else "inline")
                    for i, key in enumerate(spec.photos)
                ],
                message="Created by seed_demo",
            )
            if spec.status in {"published", "scheduled"}:
                when = self.local_time(site, days_ago=spec.days_ago, at=spec.at, now=now)
                services.article_publish(article=article, published_at=when, message="Published by seed_demo")
            if spec.correction:
                services.correction_add(article=article, text=spec.correction)
        self.report("article", "created", self.describe(article, now=now))
        return article

    @staticmethod
    def local_time(site: Site, *, days_ago: int, at: tuple[int, int], now: datetime) -> datetime:
        """The moment ``days_ago`` days before today (negative: after) at ``at`` o'clock,
        in the site's time zone."""
        tz = services.site_settings_for(site=site).tzinfo
        day = timezone.localtime(now, tz).date() - timedelta(days=days_ago)
        return datetime.combine(day, time(*at), tzinfo=tz)

    def describe(self, article: Article, *, now: datetime) -> str:
        state = self.state(article, now=now)
        if article.published_at and state in {"published", "scheduled"}:
            when = timezone.localtime(article.published_at, services.site_settings_for(site=article.site).tzinfo)
            state = f"{state} {when:%Y-%m-%d %H:%M}"
        return f"{article.site.domain}  {state}  “{article.headline}”"
