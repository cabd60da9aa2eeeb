"""API shapes. Output serializers are read-only and read only what the view's queryset
loaded (no lazy queries); input serializers validate shape only and hand plain values to
the service functions."""

from datetime import UTC

import orjson
from django.contrib.sites.models import Site
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.fields import empty

from .. import fragments
from ..commenting import comments_state
from ..models import (
    Article,
    ArticleImage,
    Author,
    Byline,
    Correction,
    Image,
    Revision,
    Section,
    SiteSettings,
    Tag,
    listing_prefetches,
)
from ..renditions import rendition_list

MAX_ID = 2**63 - 1
NULLABLE_URI = {"type": "string", "format": "uri", "nullable": True}


class StrictPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key that must be a whole number in the database's range (never a 500)."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "incorrect_type": "Expected an id (a whole number), got {data_type}.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str):
            if not (data.isascii() and data.isdigit()):
                self.fail("incorrect_type", data_type="str")
            data = int(data)
        if not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class ArchiveDateTimeField(serializers.DateTimeField):
    """A moment between the years 1800 and 2999: wide enough for any archive, narrow
    enough that converting it to any site's time zone cannot overflow."""

    default_error_messages = {
        **serializers.DateTimeField.default_error_messages,
        "out_of_range": "Give a moment between the years 1800 and 2999.",
    }

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not 1800 <= moment.year <= 2999:
            self.fail("out_of_range")
        return moment.astimezone(UTC)  # PostgreSQL refuses offsets beyond ±16 h


class RejectUnknownFieldsMixin:
    """Refuse fields the resource does not have, instead of silently dropping them.
    Fields that only appear in the output (``ignored_fields``) are accepted and ignored, so a
    client may send back what it read."""

    ignored_fields: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields) - self.ignored_fields)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


# --- Output ------------------------------------------------------------------------------


class SiteSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ("id", "domain", "name")


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ("id", "name", "slug", "kind", "bio", "url", "affiliation", "is_staff_member")


class AuthorSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ("id", "name", "slug", "kind", "url", "affiliation")


class BylineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    author = AuthorSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Byline
        fields = ("position", "role", "name", "author", "credit_text")


class CreditChainSerializer(serializers.Serializer):
    creator = serializers.CharField(read_only=True)
    agency = serializers.CharField(read_only=True)
    distributor = serializers.CharField(read_only=True)
    copyright_notice = serializers.CharField(read_only=True)


def file_url(request, image: Image) -> str | None:
    if not image.file:
        return None
    url = image.file.url
    return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url


RENDITIONS_SCHEMA = inline_serializer(
    "Rendition",
    fields={
        "url": serializers.URLField(),
        "width": serializers.IntegerField(),
        "height": serializers.IntegerField(),
        "format": serializers.CharField(help_text="“webp”, “jpg” or “png”."),
    },
    many=True,
)
RENDITIONS_HELP = "Resized copies, smallest first, in WebP and the original's format; [] without a file."


class ImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    credit_line = serializers.CharField(read_only=True)
    source_url = serializers.CharField(read_only=True, help_text="Where the picture was found (may be empty).")
    renditions = serializers.SerializerMethodField(help_text=RENDITIONS_HELP)

    class Meta:
        model = Image
        fields = (
            "id", "url", "width", "height", "sha256", "alt_text", "is_decorative", "caption",
            "creator", "agency", "distributor", "copyright_notice", "credit_text", "credit_line",
            "is_staff_photo", "source_url", "created_at", "renditions",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NULLABLE_URI)
    def get_url(self, image) -> str | None:
        return file_url(self.context.get("request"), image)

    @extend_schema_field(RENDITIONS_SCHEMA)
    def get_renditions(self, image) -> list[dict]:
        return rendition_list(image, request=self.context.get("request"))


class PlacementSerializer(serializers.ModelSerializer):
    """One photo as used in the article: per-use overrides applied."""

    caption = serializers.CharField(source="effective_caption", read_only=True)
    alt_text = serializers.CharField(source="effective_alt_text", read_only=True)
    credit = serializers.CharField(source="effective_credit", read_only=True)
    credit_chain = CreditChainSerializer(source="image", read_only=True)
    width = serializers.IntegerField(source="image.width", read_only=True, allow_null=True)
    height = serializers.IntegerField(source="image.height", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField(help_text=RENDITIONS_HELP)

    class Meta:
        model = ArticleImage
        fields = (
            "image",
            "role",
            "position",
            "caption",
            "alt_text",
            "credit",
            "credit_chain",
            "width",
            "height",
            "url",
            "renditions",
        )

    @extend_schema_field(NULLABLE_URI)
    def get_url(self, placement) -> str | None:
        return file_url(self.context.get("request"), placement.image)

    @extend_schema_field(RENDITIONS_SCHEMA)
    def get_renditions(self, placement) -> list[dict]:
        return rendition_list(placement.image, request=self.context.get("request"))


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ("kind", "text", "created_at")


class DatelineSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    country = serializers.CharField(max_length=2, allow_blank=True, required=False, default="")
    source = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")

    def validate_country(self, value):
        if value and not (value.isascii() and value.isalpha() and len(value) == 2):
            raise serializers.ValidationError("Use a two-letter ISO 3166 country code, e.g. “GB”.")
        return value.upper()


class DatelineOutputSerializer(serializers.Serializer):
    place = serializers.CharField(source="dateline_place")
    country = serializers.CharField(source="dateline_country")
    source = serializers.CharField(source="dateline_source")
    text = serializers.CharField(source="dateline", help_text="As printed, e.g. “LONDON (Reuters) —”.")


class CommentsStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["open", "closed", "hidden"], source="mode")
    reason = serializers.CharField()
    message = serializers.CharField(help_text="What readers are told when commenting is not open.")


class NamedSlugSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class ArticleSerializer(serializers.ModelSerializer):
    """An article as readers and mirrors get it, with everything nested."""

    url = serializers.HyperlinkedIdentityField(view_name="api:article-detail")
    page_url = serializers.SerializerMethodField(help_text="The public page, or null while not published.")
    canonical_url = serializers.SerializerMethodField()
    site = SiteSummarySerializer(read_only=True)
    sites = serializers.SerializerMethodField(help_text="Other sites the article is syndicated to (ids).")
    dateline = DatelineOutputSerializer(source="*", read_only=True)
    section = NamedSlugSerializer(read_only=True, allow_null=True)
    tags = NamedSlugSerializer(many=True, read_only=True)
    read_time_minutes = serializers.IntegerField(read_only=True)
    read_time = serializers.CharField(source="read_time_label", read_only=True)
    bylines = BylineSerializer(many=True, read_only=True)
    lead_image = serializers.SerializerMethodField()
    images = PlacementSerializer(source="placements", many=True, read_only=True)
    corrections = CorrectionSerializer(many=True, read_only=True)
    comments = serializers.SerializerMethodField()
    comment_count = serializers.IntegerField(
        source="approved_comment_count", read_only=True, default=0, help_text="Approved comments."
    )

    class Meta:
        model = Article
        fields = (
            "id", "url", "page_url", "canonical_url", "site", "sites", "headline", "slug", "dek",
            "dateline", "body", "language", "section", "tags", "status", "published_at",
            "updated_at", "modified_at", "embargo_until", "word_count", "read_time_minutes",
            "read_time", "bylines", "lead_image", "images", "corrections", "comments", "comment_count",
            "comments_mode", "source_publisher", "withdrawn_reason", "version",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NULLABLE_URI)
    def get_page_url(self, article) -> str | None:
        if article.pub_date is None or article.status not in {"published", "scheduled", "withdrawn"}:
            return None
        request = self.context.get("request")
        if request is not None and getattr(request, "site", None) is not None and request.site.pk == article.site_id:
            return request.build_absolute_uri(article.get_absolute_url())  # keeps the port
        scheme = request.scheme if request is not None else "https"
        return f"{scheme}://{article.site.domain}{article.get_absolute_url()}"

    @extend_schema_field(NULLABLE_URI)
    def get_canonical_url(self, article) -> str | None:
        return article.canonical_url or self.get_page_url(article)

    def get_sites(self, article) -> list[int]:
        return [site.pk for site in article.sites.all()]

    @extend_schema_field(PlacementSerializer(allow_null=True))
    def get_lead_image(self, article):
        lead = next((p for p in article.placements.all() if p.role == ArticleImage.Role.LEAD), None)
        return PlacementSerializer(lead, context=self.context).data if lead else None

    @extend_schema_field(CommentsStateSerializer)
    def get_comments(self, article):
        return CommentsStateSerializer(comments_state(article)).data


class TombstoneSerializer(serializers.ModelSerializer):
    """What the change feed says of a withdrawn article: enough for a mirror to delete it."""

    withdrawn_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Article
        fields = ("id", "status", "modified_at", "withdrawn_at")
        read_only_fields = fields


class SiteSettingsSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    ignored_fields = frozenset({"site", "version", "updated_at", "publisher_logo"})
    comments_suspended_until = ArchiveDateTimeField(required=False, allow_null=True)

    class Meta:
        model = SiteSettings
        fields = (
            "site", "publisher_name", "time_zone", "language", "comments_enabled", "comments_notice",
            "comments_suspended_until", "comments_close_after_days", "comments_premoderated",
            "version", "updated_at",
        )  # fmt: skip
        read_only_fields = ("site", "version", "updated_at")
        extra_kwargs = {"comments_close_after_days": {"min_value": 1, "max_value": 36500}}


class SiteSerializer(serializers.ModelSerializer):
    settings = SiteSettingsSerializer(read_only=True)

    class Meta:
        model = Site
        fields = ("id", "domain", "name", "settings")


# --- Input -------------------------------------------------------------------------------


# List items (bylines, photos) replace the old ones whole. Under PATCH DRF validates them
# partially and leaves their fields' defaults out; put the defaults back. (A comment, not a
# docstring: the OpenAPI schema takes the first docstring as the component's description.)
class WholeItemMixin:
    def validate(self, attrs):
        defaults = {name: field.default for name, field in self.fields.items() if field.default is not empty}
        return {**defaults, **attrs}


class BylineInputSerializer(WholeItemMixin, RejectUnknownFieldsMixin, serializers.Serializer):
    author = StrictPrimaryKeyField(queryset=Author.objects.all(), allow_null=True, required=False, default=None)
    role = serializers.ChoiceField(choices=Byline.Role.choices, required=False, default=Byline.Role.AUTHOR)
    credit_text = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    ignored_fields = frozenset({"position", "name"})

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs["author"] is None and not attrs["credit_text"].strip():
            raise serializers.ValidationError("Give an author id or a free-text credit.")
        return attrs


class PlacementInputSerializer(WholeItemMixin, RejectUnknownFieldsMixin, serializers.Serializer):
    image = StrictPrimaryKeyField(queryset=Image.objects.all())
    role = serializers.ChoiceField(choices=ArticleImage.Role.choices, required=False, default=ArticleImage.Role.INLINE)
    caption = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)
    alt_text = serializers.CharField(allow_blank=True, required=False, default="", max_length=500)
    credit_text = serializers.CharField(allow_blank=True, required=False, default="", max_length=300)
    ignored_fields = frozenset({"position", "credit", "credit_chain", "width", "height", "url", "renditions"})


class ArticleWriteSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """What a client may send to create or change an article. Bylines and photos are given
    by id, in print order; they replace the article's current ones."""

    ignored_fields = frozenset(
        {"id", "url", "page_url", "canonical_url_effective", "word_count", "read_time_minutes", "read_time",
         "lead_image", "corrections", "comments", "modified_at", "version"}
    )  # fmt: skip

    site = StrictPrimaryKeyField(queryset=Site.objects.all(), help_text="Primary site id.")
    sites = serializers.ListField(
        child=StrictPrimaryKeyField(queryset=Site.objects.all()), required=False, max_length=50
    )
    headline = serializers.CharField(max_length=300)
    slug = serializers.SlugField(max_length=200, allow_unicode=True, required=False, allow_blank=True)
    dek = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    dateline = DatelineSerializer(required=False)
    body = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    language = serializers.RegexField(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", max_length=35, required=False)
    section = serializers.SlugRelatedField(
        slug_field="slug", queryset=Section.objects.all(), allow_null=True, required=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50, help_text="Tag names."
    )
    status = serializers.ChoiceField(choices=Article.Status.choices, required=False)
    published_at = ArchiveDateTimeField(required=False, allow_null=True)
    embargo_until = ArchiveDateTimeField(required=False, allow_null=True)
    withdrawn_reason = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    source_publisher = serializers.CharField(allow_blank=True, required=False, max_length=200)
    canonical_url = serializers.URLField(allow_blank=True, required=False, max_length=500)
    comments_mode = serializers.ChoiceField(choices=Article.Comments.choices, required=False)
    bylines = serializers.ListField(child=BylineInputSerializer(), required=False, max_length=20)
    images = serializers.ListField(child=PlacementInputSerializer(), required=False, max_length=50)
    message = serializers.CharField(
        allow_blank=True, required=False, max_length=500, help_text="Why: kept with the revision."
    )

    def to_internal_value(self, data):
        # Output shapes a client may echo back: nested site/section/tags objects.
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("site"), dict):
                data["site"] = data["site"].get("id")
            if isinstance(data.get("section"), dict):
                data["section"] = data["section"].get("slug")
            if isinstance(data.get("tags"), list):
                data["tags"] = [t.get("name") if isinstance(t, dict) else t for t in data["tags"]]
            if isinstance(data.get("dateline"), dict):
                data["dateline"] = {k: v for k, v in data["dateline"].items() if k != "text"}
        return super().to_internal_value(data)

    def validate_body(self, value):
        if "\x00" in value:
            raise serializers.ValidationError("The body contains a NUL character.")
        return value


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ("name", "slug")


class ImageUploadSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """Multipart upload: the file plus optional metadata."""

    file = serializers.FileField(help_text="JPEG, PNG, WebP or GIF; checked by content.")

    class Meta:
        model = Image
        fields = (
            "file", "alt_text", "is_decorative", "caption", "creator", "agency", "distributor",
            "copyright_notice", "credit_text", "is_staff_photo", "source_url",
        )  # fmt: skip


class ImageUpdateSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """Metadata changes of an image (the file itself cannot be replaced)."""

    ignored_fields = frozenset({"id", "url", "width", "height", "sha256", "credit_line", "created_at", "renditions"})

    class Meta:
        model = Image
        fields = (
            "alt_text", "is_decorative", "caption", "creator", "agency", "distributor",
            "copyright_notice", "credit_text", "is_staff_photo", "source_url",
        )  # fmt: skip


class AuthorWriteSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    ignored_fields = frozenset({"id"})

    class Meta:
        model = Author
        fields = ("name", "slug", "kind", "bio", "url", "affiliation", "is_staff_member")
        extra_kwargs = {"slug": {"required": False, "allow_blank": True, "help_text": "Made from the name if empty."}}


class RevisionSerializer(serializers.ModelSerializer):
    """One entry of an article's history."""

    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Revision
        fields = ("number", "created_at", "user", "message", "status", "is_published")
        read_only_fields = fields


class RevisionDetailSerializer(RevisionSerializer):
    """A revision with its snapshot: the article, bylines and photos as they were."""

    snapshot = serializers.JSONField(read_only=True)

    class Meta(RevisionSerializer.Meta):
        fields = (*RevisionSerializer.Meta.fields, "snapshot")
        read_only_fields = fields


class ImportUploadSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """One file to import: a text capture (.txt), a saved page (.html), ninjs (.json), a web
    archive (.warc, .warc.gz) or a JSON Lines backup (.jsonl); the name decides the format."""

    file = serializers.FileField()
    publish = serializers.BooleanField(required=False, default=False, help_text="Publish what passes the gates.")
    site = StrictPrimaryKeyField(queryset=Site.objects.all(), required=False, help_text="Default: the default site.")

    def validate_file(self, file):
        limit = 64 * 1024 * 1024
        if file.size > limit:
            raise serializers.ValidationError(f"Files to import are limited to {limit} bytes.")
        return file


class ImportResultSerializer(serializers.Serializer):
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "skipped", "failed"])
    article = serializers.IntegerField(allow_null=True, source="article.pk", default=None)
    reason = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


# --- Cached output -----------------------------------------------------------------------

ARTICLE_PREFETCHES = (*listing_prefetches(), "corrections", "sites")
# What changes without the article changing: computed on every request, never cached.
VOLATILE_FIELDS = ("comments", "comment_count")


def serialized_articles(articles, context) -> dict[int, orjson.Fragment]:
    """``ArticleSerializer`` output for ``articles`` (loaded with ``with_listing_relations``
    and ``with_comment_count`` but without prefetches), by id, as pre-encoded JSON for
    ``renderers.FastJSONRenderer``.

    The article's JSON comes from the fragment cache (``articles.fragments``), keyed on its
    version and on everything else it shows; only the misses are prefetched (five queries
    whatever their number), serialized and encoded. The commenting state and the approved
    comment count change without the article changing: they are added on every request.
    """
    request = context["request"]
    generation = fragments.generation()
    keys = {article.pk: fragments.key("api", article, request, generation) for article in articles}
    found = fragments.get_many(list(keys.values()))
    missing = [article for article in articles if keys[article.pk] not in found]
    if missing:
        fragments.prefetch_missing(missing, ARTICLE_PREFETCHES)
        made = {}
        for article in missing:
            data = ArticleSerializer(article, context=context).data
            made[keys[article.pk]] = orjson.dumps({k: v for k, v in data.items() if k not in VOLATILE_FIELDS})
        fragments.set_many(made)
        found.update(made)
    result = {}
    for article in articles:
        state = comments_state(article)
        volatile = orjson.dumps(
            {
                "comments": {"state": state.mode, "reason": state.reason, "message": str(state.message)},
                "comment_count": getattr(article, "approved_comment_count", 0),
            }
        )
        result[article.pk] = orjson.Fragment(found[keys[article.pk]][:-1] + b"," + volatile[1:])
    return result
