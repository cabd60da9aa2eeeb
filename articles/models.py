"""The newsroom's domain model: sites' settings, authors, articles, bylines, images,
corrections, revisions and slug history.

Visibility lives in one place, ``ArticleQuerySet.published()``. Derived values live on the
model when they need one row (``read_time_minutes``, ``credit_line``) and in services or
queryset methods when they span relations.
"""

import uuid
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .credits import render_credit_line
from .html import count_words, read_time_minutes, sanitize_body


def validate_time_zone(value: str) -> None:
    """Accept only IANA time zone names known to this system (e.g. “Europe/London”)."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class SiteSettings(models.Model):
    """The one settings row of a site: publisher identity, time zone and commenting policy."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="settings")
    publisher_name = models.CharField(
        _("publisher name"),
        max_length=200,
        blank=True,
        help_text=_("Shown to readers and search engines as the publisher, e.g. “The Harbour Courier”."),
    )
    publisher_logo = models.ImageField(
        _("publisher logo"),
        upload_to="site/logos/",
        blank=True,
        help_text=_("Used in structured data (schema.org publisher.logo). A wide PNG works best."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_time_zone],
        default="UTC",
        help_text=_("Dates on this site's pages and article URLs are shown in this time zone."),
    )
    language = models.CharField(
        _("default language"),
        max_length=35,
        default="en",
        help_text=_("BCP 47 language tag for new articles, e.g. “en”, “pt-PT”."),
    )
    comments_enabled = models.BooleanField(
        _("commenting enabled"),
        default=True,
        help_text=_(
            "Switch off to stop new comments on every article of this site at once. "
            "Readers see the notice below instead of the comment form."
        ),
    )
    comments_notice = models.TextField(
        _("commenting notice"),
        blank=True,
        help_text=_(
            "Shown to readers while commenting is off or suspended, e.g. “We are temporarily "
            "suspending article commenting.”"
        ),
    )
    comments_suspended_until = models.DateTimeField(
        _("commenting suspended until"),
        null=True,
        blank=True,
        help_text=_(
            "Commenting is off until this moment and resumes by itself afterwards. Leave empty for no timed suspension."
        ),
    )
    comments_close_after_days = models.PositiveIntegerField(
        _("close comments after (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36500)],
        help_text=_("Close commenting on an article this many days after it was published. Empty: never."),
    )
    comments_premoderated = models.BooleanField(
        _("hold new comments for moderation"),
        default=True,
        help_text=_(
            "On: new comments wait for a moderator before readers see them. Off: they appear at once "
            "(comments with many links still wait)."
        ),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return f"Settings for {self.site.domain}"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Author(models.Model):
    """A person or organisation that can be credited. Not a login: wire reporters and
    photographers have no accounts, though an author may be linked to a user."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organisation")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    bio = models.TextField(_("biography"), blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to="authors/", blank=True)
    affiliation = models.CharField(
        _("affiliation"), max_length=200, blank=True, help_text=_("Employer or agency, e.g. “Reuters”.")
    )
    is_staff_member = models.BooleanField(
        _("staff member"),
        default=False,
        help_text=_("Staff photographers' pictures may be published without a credit line."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text=_("Optional: the login account of this author."),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Section(models.Model):
    """A desk or section of the paper: World, Business, Sport…"""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    """A topic label. A small model rather than a generic tagging app, so that articles'
    tags are a plain indexed join that prefetches in one query."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


RELEASED_STATUSES = ("published", "scheduled")
# When a released article becomes public: its publication time, or the end of its embargo.
RELEASE_MOMENT = Greatest("published_at", Coalesce("embargo_until", "published_at"))


def _published_q(now: datetime) -> Q:
    return Q(
        Q(status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED]),
        Q(published_at__lte=now),
        Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
    )


def listing_prefetches() -> list:
    """The relations a list of articles shows, prefetched in position order (also used
    with ``prefetch_related_objects`` for the misses of the fragment cache)."""
    return [
        Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position")),
        Prefetch("placements", queryset=ArticleImage.objects.select_related("image").order_by("position")),
        "tags",
    ]


class ArticleQuerySet(models.QuerySet):
    def live(self):
        """Articles an editor has released: published, or scheduled for a later time."""
        return self.filter(status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED])

    def published(self, *, now: datetime | None = None):
        """Articles the public may see: released, publication time passed, embargo lifted.

        This is the single visibility rule: pages, API, feeds and sitemaps start here. A
        scheduled article becomes visible at its publication time with no job to run.
        """
        return self.filter(_published_q(now or timezone.now()))

    def in_change_feed(self, *, now: datetime | None = None):
        """What a mirror may learn of: published articles, plus withdrawn ones (which the
        API reports as tombstones, id and status only, so mirrors can delete them)."""
        return self.filter(_published_q(now or timezone.now()) | Q(status=Article.Status.WITHDRAWN))

    def for_site(self, site: Site):
        """Articles whose primary site is ``site`` or that are syndicated to it."""
        syndicated = Article.sites.through.objects.filter(site=site).values("article_id")
        return self.filter(Q(site=site) | Q(pk__in=syndicated))

    def with_comment_count(self):
        """Annotate ``approved_comment_count`` (a subquery, so the count costs no extra query)."""
        from django.apps import apps
        from django.db.models import Count, IntegerField, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        comment = apps.get_model("comments", "Comment")
        approved = (
            comment.objects.filter(article=OuterRef("pk"), status="approved")
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(approved_comment_count=Coalesce(Subquery(approved, output_field=IntegerField()), 0))

    def with_listing_relations(self):
        """Load what a list of articles shows in a fixed number of queries: site and
        section joined; bylines with authors, image placements with images, and tags
        prefetched in position order."""
        return self.select_related("site", "site__settings", "section").prefetch_related(*listing_prefetches())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Comments(models.TextChoices):
        INHERIT = "inherit", _("As the site says")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed (existing comments shown)")
        HIDDEN = "hidden", _("Hidden (no comments shown)")

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("site"),
        help_text=_("The site that publishes this article and owns its URL."),
    )
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="syndicated_articles",
        verbose_name=_("also on sites"),
        help_text=_("Other sites this article is syndicated to."),
    )
    headline = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=True,
        help_text=_("The last part of the article's URL. Changing it after publication keeps the old URL working."),
    )
    dek = models.TextField(
        _("dek"), blank=True, help_text=_("The standfirst under the headline, one or two sentences.")
    )
    dateline_place = models.CharField(
        _("dateline place"), max_length=100, blank=True, help_text=_("Where the story was reported, e.g. “LONDON”.")
    )
    dateline_country = models.CharField(
        _("dateline country"), max_length=2, blank=True, help_text=_("ISO 3166 country code, e.g. “GB”.")
    )
    dateline_source = models.CharField(
        _("dateline source"),
        max_length=100,
        blank=True,
        help_text=_("Wire agency in the dateline, e.g. “Reuters” for “LONDON (Reuters) —”."),
    )
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "HTML. Scripts, styles and unsafe links are removed on save. "
            'Mark where an inline photo goes with <figure data-placement="N"></figure>.'
        ),
    )
    word_count = models.PositiveIntegerField(_("word count"), default=0, editable=False)
    language = models.CharField(_("language"), max_length=35, default="en")
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles", verbose_name=_("section")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    embargo_until = models.DateTimeField(
        _("embargoed until"),
        null=True,
        blank=True,
        help_text=_("Not shown to the public before this moment, whatever its status."),
    )
    published_at = models.DateTimeField(
        _("published at"), null=True, blank=True, help_text=_("First publication. Set when the article is published.")
    )
    pub_date = models.DateField(
        _("URL date"), null=True, blank=True, editable=False,
        help_text=_("The publication date in the site's time zone, used in the URL."),
    )  # fmt: skip
    updated_at = models.DateTimeField(
        _("updated at"),
        null=True,
        blank=True,
        help_text=_("Last substantive update, shown to readers as “Updated”."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(
        _("reason for withdrawal"), blank=True, help_text=_("Public: shown on the page that replaces the article.")
    )
    source_publisher = models.CharField(
        _("source publisher"),
        max_length=200,
        blank=True,
        help_text=_("For syndicated or captured pieces: who first published it."),
    )
    canonical_url = models.URLField(
        _("canonical URL"),
        max_length=500,
        blank=True,
        help_text=_("For syndicated or captured pieces: the original's address."),
    )
    source_key = models.CharField(
        _("import source"),
        max_length=200,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("Identity of the imported source (its URL, or a content hash): re-imports update this article."),
    )
    comments_mode = models.CharField(
        _("comments"),
        max_length=20,
        choices=Comments.choices,
        default=Comments.INHERIT,
        help_text=_("Override the site's commenting policy for this article."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text=_("Last change of any kind (for mirrors).")
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        permissions = [("publish_article", "Can publish and withdraw articles")]
        constraints = [
            models.UniqueConstraint(fields=["site", "pub_date", "slug"], name="article_unique_slug_per_site_and_date"),
            models.UniqueConstraint(
                fields=["site", "slug"],
                condition=Q(pub_date__isnull=True),
                name="article_unique_draft_slug_per_site",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "scheduled"]) | Q(published_at__isnull=False),
                name="article_released_has_published_at",
            ),
            models.CheckConstraint(condition=~Q(headline=""), name="article_headline_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
        ]
        indexes = [
            models.Index(fields=["site", "status", "-published_at"], name="article_site_status_pub"),
            models.Index(fields=["status", "-published_at"], name="article_status_pub"),
            # The lists of released articles walk article_released_order and
            # article_section_order, made by migration 0011 (NULLS LAST, which SQLite's
            # CREATE INDEX refuses). The ones below serve the date archives, list pages'
            # Last-Modified and the change feed (docs/performance.md, "Indexes").
            # It carries what published() and for_site() test (PostgreSQL INCLUDE), so a year
            # or month archive counts its articles per month or day with an index-only scan.
            models.Index(
                fields=["pub_date"],
                include=["published_at", "embargo_until", "site", "id"],
                name="article_pub_date",
                condition=Q(status__in=RELEASED_STATUSES),
            ),
            # The moment an article became public (list pages' Last-Modified, next release).
            models.Index(RELEASE_MOMENT, name="article_release_moment", condition=Q(status__in=RELEASED_STATUSES)),
            # The change feed (updated_since, oldest first) and its cursors.
            models.Index(fields=["modified_at", "id"], name="article_changes_order"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        # Derived columns only: the body is kept sanitised and its word count current
        # whichever path writes the row (admin, API, import, shell).
        self.body = sanitize_body(self.body)
        self.word_count = count_words(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "word_count"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.pub_date is None:
            return reverse("articles:permalink", kwargs={"pk": self.pk})
        return reverse(
            "articles:detail",
            kwargs={
                "year": self.pub_date.year,
                "month": f"{self.pub_date.month:02d}",
                "day": f"{self.pub_date.day:02d}",
                "slug": self.slug,
            },
        )

    @property
    def read_time_minutes(self) -> int:
        return read_time_minutes(self.word_count)

    @property
    def read_time_label(self) -> str:
        return f"{self.read_time_minutes} min read"

    @property
    def dateline(self) -> str:
        """The dateline as printed: “LONDON —” or “LONDON (Reuters) —”; empty if no place."""
        if not self.dateline_place:
            return ""
        place = self.dateline_place.upper()
        source = f" ({self.dateline_source})" if self.dateline_source else ""
        return f"{place}{source} —"

    def is_published(self, *, now: datetime | None = None) -> bool:
        """Whether the public may see this article now (the row-level twin of published())."""
        now = now or timezone.now()
        return (
            self.status in {self.Status.PUBLISHED, self.Status.SCHEDULED}
            and self.published_at is not None
            and self.published_at <= now
            and (self.embargo_until is None or self.embargo_until <= now)
        )


class Byline(models.Model):
    """One credited contributor of an article, in print order."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        REPORTER = "reporter", _("Reporter")
        CONTRIBUTOR = "contributor", _("Contributor")
        PHOTOGRAPHER = "photographer", _("Photographer")
        ADDITIONAL_REPORTING = "additional_reporting", _("Additional reporting")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, null=True, blank=True, related_name="bylines", verbose_name=_("author")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    credit_text = models.CharField(
        _("free-text byline"),
        max_length=200,
        blank=True,
        help_text=_("For wire copy without a named author, e.g. “Reuters staff”. Overrides the author's name."),
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="byline_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=0), name="byline_position_not_negative"),
            models.CheckConstraint(
                condition=Q(author__isnull=False) | ~Q(credit_text=""), name="byline_has_author_or_text"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.credit_text or (self.author.name if self.author_id else "")


def image_upload_to(instance: "Image", filename: str) -> str:
    """Store originals under a date-partitioned folder with a server-made name; the
    client's file name is kept only as metadata (``original_filename``)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in {"jpg", "jpeg", "png", "webp", "gif"}:
        extension = "bin"
    return timezone.now().strftime(f"images/%Y/%m/{uuid.uuid4().hex}.{extension}")


class Image(models.Model):
    """A picture asset with its caption and credit chain. The file may be absent (a captured
    article whose photo was not archived): caption, credit and alt text still stand."""

    file = models.ImageField(
        _("file"), upload_to=image_upload_to, width_field="width", height_field="height", blank=True, max_length=255
    )
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False, db_index=True)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    alt_text = models.CharField(
        _("alt text"),
        max_length=500,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it. Required before publishing."),
    )
    is_decorative = models.BooleanField(
        _("decorative"), default=False, help_text=_("Purely decorative pictures need no alt text.")
    )
    caption = models.TextField(
        _("caption"), blank=True, help_text=_("Default caption. Do not put the credit here: it has its own fields.")
    )
    creator = models.CharField(_("photographer"), max_length=200, blank=True, help_text=_("e.g. “Anatolii Stepanov”."))
    agency = models.CharField(_("agency"), max_length=200, blank=True, help_text=_("e.g. “AFP”."))
    distributor = models.CharField(_("distributor"), max_length=200, blank=True, help_text=_("e.g. “Getty Images”."))
    copyright_notice = models.CharField(_("copyright notice"), max_length=300, blank=True)
    credit_text = models.CharField(
        _("credit override"),
        max_length=300,
        blank=True,
        help_text=_("Free-text credit printed instead of the one built from photographer, agency and distributor."),
    )
    is_staff_photo = models.BooleanField(
        _("staff photo"), default=False, help_text=_("Taken by our own staff: may be published without a credit.")
    )
    source_url = models.URLField(_("source URL"), max_length=1000, blank=True)
    metadata = models.JSONField(_("embedded metadata"), default=dict, blank=True, editable=False)
    renditions = models.JSONField(
        _("renditions"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("The resized copies made so far: width, height, format and storage name of each."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["sha256"], condition=~Q(sha256=""), name="image_unique_sha256"),
        ]

    def __str__(self):
        return self.caption[:60] or self.alt_text[:60] or f"Image {self.pk}"

    @property
    def credit_line(self) -> str:
        """The printed credit: the override if set, else built from the credit chain."""
        return self.credit_text or render_credit_line(
            creator=self.creator, agency=self.agency, distributor=self.distributor
        )


class ArticleImage(models.Model):
    """One use of an Image in an Article, with optional per-use overrides."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        INLINE = "inline", _("Inline")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="placements")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="placements", verbose_name=_("image"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.INLINE)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    caption = models.TextField(_("caption"), blank=True, help_text=_("Caption for this use; empty: the image's own."))
    alt_text = models.CharField(_("alt text"), max_length=500, blank=True, help_text=_("Empty: the image's own."))
    credit_text = models.CharField(_("credit"), max_length=300, blank=True, help_text=_("Empty: the image's own."))

    class Meta:
        ordering = ["position"]
        verbose_name = _("article photo")
        verbose_name_plural = _("article photos")
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="placement_unique_position"),
            models.UniqueConstraint(fields=["article"], condition=Q(role="lead"), name="placement_one_lead"),
            models.CheckConstraint(condition=Q(position__gte=0), name="placement_position_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} photo {self.position} of article {self.article_id}"

    @property
    def effective_caption(self) -> str:
        return self.caption or self.image.caption

    @property
    def effective_alt_text(self) -> str:
        return self.alt_text or self.image.alt_text

    @property
    def effective_credit(self) -> str:
        return self.credit_text or self.image.credit_line


class Correction(models.Model):
    """A public, timestamped note on an article."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(_("text"), help_text=_("Public. Say what was wrong and what is right."))
    revision = models.ForeignKey(
        "Revision", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="corrections"
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="correction_text_not_empty")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.article_id}: {self.text[:60]}"


class Revision(models.Model):
    """An immutable JSON snapshot of an article with its bylines and photos, taken on every
    save. Revisions are never updated or deleted by normal operation."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    status = models.CharField(max_length=20, choices=Article.Status.choices)
    is_published = models.BooleanField(default=False, help_text=_("The article was public when this was taken."))
    message = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["article", "number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_unique_number"),
        ]

    def __str__(self):
        return f"Revision {self.number} of article {self.article_id}"


class SlugHistory(models.Model):
    """A URL an article was once published at; it keeps answering with a redirect."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_history")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    pub_date = models.DateField()
    slug = models.SlugField(max_length=200, allow_unicode=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("slug history")
        constraints = [
            models.UniqueConstraint(fields=["site", "pub_date", "slug"], name="slughistory_unique_url"),
        ]

    def __str__(self):
        return f"{self.pub_date:%Y/%m/%d}/{self.slug} → article {self.article_id}"


class Tombstone(models.Model):
    """An address of an article purged from the trash (``services.trash_purge``): it keeps
    answering 410 Gone with the public reason instead of 404, so readers, crawlers and
    mirrors learn the article was taken down on purpose. Only the address and the reason
    are kept; the content is gone."""

    article_id = models.PositiveBigIntegerField(_("article id"), db_index=True)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    pub_date = models.DateField()
    slug = models.SlugField(max_length=200, allow_unicode=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    purged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "pub_date", "slug"], name="tombstone_unique_url"),
        ]

    def __str__(self):
        return f"{self.pub_date:%Y/%m/%d}/{self.slug} (article {self.article_id}, purged)"

    def get_absolute_url(self) -> str:
        return reverse(
            "articles:detail",
            kwargs={
                "year": self.pub_date.year,
                "month": f"{self.pub_date.month:02d}",
                "day": f"{self.pub_date.day:02d}",
                "slug": self.slug,
            },
        )
