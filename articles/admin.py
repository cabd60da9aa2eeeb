"""The Django admin as the editors' tool.

Every write goes through ``articles.services`` (``save_model``, ``save_related``, actions),
and the publication gates the admin enforces on published articles are the services' own
functions (``text_problems``, ``byline_problems``, ``image_problems``), so the rules live in
one place. Articles are never deleted here: they are withdrawn.
"""

import copy
import json
import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.admin import SiteAdmin as BaseSiteAdmin
from django.contrib.sites.models import Site
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Count, Max
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .admin_history import RevisionHistoryMixin
from .commenting import CLOSED, HIDDEN, OPEN, comments_state
from .html import sanitize_body
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

LIVE = {Article.Status.PUBLISHED, Article.Status.SCHEDULED}

DUPLICATE_POSITION = "Two {noun} share position {position}; give each a different position."
NEEDS_AUTHOR = "Choose an author or write a free-text byline."
STALE_EDIT = (
    "Someone else saved this article while you were editing it (it is now at version {current}; "
    "you started from version {submitted}). Nothing was saved: copy your changes, reload the page "
    "and apply them again."
)
STALE_SETTINGS = (
    "Someone else changed these settings while you were editing them (now version {current}; you "
    "started from version {submitted}). Nothing was saved: reload the page and apply your changes again."
)
IMAGE_IN_LIBRARY = 'This file is already in the library as <a href="{url}">{image}</a>; use that image instead.'
IMAGE_BREAKS_ARTICLE = "Used by the published article “{article}”: {problem}"

COMMENT_MODES = {OPEN: _("Open"), CLOSED: _("Closed"), HIDDEN: _("Hidden")}
COMMENT_REASONS = {
    "open": _("site default"),
    "article_open": _("opened on this article"),
    "article_closed": _("closed on this article"),
    "article_hidden": _("hidden on this article"),
    "not_published": _("not published"),
    "site_disabled": _("switched off for the site"),
    "site_suspended": _("suspended for the site"),
    "closed_after_days": _("closed after the site's limit"),
}


# Web addresses typed without a scheme are taken as https (Django 6's default, chosen now).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def _thumbnail(image: Image | None, *, size: int = 80):
    """An <img> of the picture scaled to fit ``size`` pixels, or a note when there is no file."""
    if image is None:
        return "—"
    if not image.file:
        return format_html('<span class="quiet">{}</span>', _("no file"))
    width, height = image.width or size, image.height or size
    scale = min(1, size / max(width, height, 1))
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy">',
        image.file.url,
        image.alt_text,
        max(1, round(width * scale)),
        max(1, round(height * scale)),
    )


class LeanChangeList(ChangeList):
    """A changelist that leaves out the big columns its rows never show (``list_defer`` of
    the model admin): article bodies and revision snapshots run to hundreds of kilobytes."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer(*self.model_admin.list_defer)


class LeanListMixin:
    list_defer: tuple[str, ...] = ()

    def get_changelist(self, request, **kwargs):
        return LeanChangeList


def _pretty_json(value):
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


# --- Inlines of the article form -------------------------------------------------------


class PositionedFormSet(forms.BaseInlineFormSet):
    """An inline of rows ordered by a ``position`` unique per article (bylines, photos).

    Positions are checked here, across the whole submission, so a duplicate is a form error
    and swapping two rows' positions is allowed (``save_positioned`` writes it safely).
    """

    noun = _("rows")

    def kept_forms(self) -> list[forms.ModelForm]:
        """The valid forms that will exist after saving: not deleted, not blank extras."""
        deleted = self.deleted_forms
        return [
            form for form in self.forms if form not in deleted and (form.instance.pk is not None or form.has_changed())
        ]

    def clean(self):
        if any(self.errors):
            return  # the rows' own errors come first; the cross-row checks need clean rows
        seen = set()
        for form in self.kept_forms():
            position = form.cleaned_data.get("position")
            if position in seen:
                raise ValidationError(DUPLICATE_POSITION.format(noun=self.noun, position=position))
            seen.add(position)
        super().clean()

    @property
    def article_is_live(self) -> bool:
        return self.instance.pk is not None and self.instance.status in LIVE


class BylineFormSet(PositionedFormSet):
    noun = _("bylines")

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        bylines = [form.instance for form in self.kept_forms()]
        seen = set()
        for byline in bylines:
            key = (byline.author_id or byline.credit_text.strip(), byline.role)
            if key in seen:
                raise ValidationError(services.DUPLICATE_AUTHOR.format(author=byline.display_name))
            seen.add(key)
        if self.article_is_live:
            problems = services.byline_problems(bylines)
            if problems:
                raise ValidationError(problems)


class PhotoFormSet(PositionedFormSet):
    noun = _("photos")

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        problems = services.image_problems([form.instance for form in self.kept_forms()])
        if not self.article_is_live:
            # A draft may lack alt text and credits for now; two leads are never allowed.
            problems = [problem for problem in problems if problem == services.TWO_LEADS]
        if problems:
            raise ValidationError(problems)


class BylineForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if "author" not in self.errors and not cleaned.get("author") and not cleaned.get("credit_text", "").strip():
            self.add_error("author", NEEDS_AUTHOR)
        return cleaned


def save_positioned(formset: PositionedFormSet) -> None:
    """Save an ordered inline without tripping its unique constraints midway.

    The database checks ``(article, position)`` and "one lead photo" row by row, so swapping
    two rows' positions, or moving the lead from one photo to another, would collide on the
    first write. Rows whose position or role changes are first parked at free positions
    (as inline photos), then written with their final values.
    """
    formset.save(commit=False)
    for obj in formset.deleted_objects:
        obj.delete()
    moving = [obj for obj, changed in formset.changed_objects if {"position", "role"} & set(changed)]
    if moving:
        model = formset.model
        highest = model.objects.filter(article=formset.instance).aggregate(top=Max("position"))["top"] or 0
        wanted = max((form.cleaned_data.get("position") or 0 for form in formset.kept_forms()), default=0)
        parking = {"role": ArticleImage.Role.INLINE} if model is ArticleImage else {}
        for slot, obj in enumerate(moving, start=max(highest, wanted) + 1):
            model.objects.filter(pk=obj.pk).update(position=slot, **parking)
    for obj, _changed in formset.changed_objects:
        obj.save()
    for obj in formset.new_objects:
        obj.save()
    formset.save_m2m()


class InlineMedia:
    js = ("articles/admin_inlines.js",)


class BylineInline(admin.TabularInline):
    model = Byline
    form = BylineForm
    formset = BylineFormSet
    fields = ("position", "author", "role", "credit_text")
    autocomplete_fields = ("author",)
    ordering = ("position",)
    extra = 0
    Media = InlineMedia

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class PhotoInline(admin.StackedInline):
    model = ArticleImage
    formset = PhotoFormSet
    verbose_name = _("photo")
    verbose_name_plural = _("photos")
    fields = (("image", "thumbnail"), ("role", "position"), "caption", "alt_text", "credit_text", "image_credit")
    readonly_fields = ("thumbnail", "image_credit")
    autocomplete_fields = ("image",)
    ordering = ("position",)
    extra = 0
    Media = InlineMedia

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("image")

    @admin.display(description=_("preview"))
    def thumbnail(self, obj):
        return _thumbnail(obj.image if obj.image_id else None, size=120)

    @admin.display(description=_("printed credit"))
    def image_credit(self, obj):
        return (obj.effective_credit or "—") if obj.image_id else "—"


class CorrectionInline(admin.TabularInline):
    model = Correction
    fields = ("kind", "text", "created_at")
    readonly_fields = ("created_at",)
    extra = 0
    can_delete = False  # corrections are public record


# --- Articles --------------------------------------------------------------------------


class BylineAuthorFilter(admin.SimpleListFilter):
    title = _("byline")
    parameter_name = "author"

    def lookups(self, request, model_admin):
        credited = Author.objects.filter(pk__in=Byline.objects.values("author_id")).order_by("name")
        return [(str(pk), name) for pk, name in credited.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(pk__in=Byline.objects.filter(author_id=self.value()).values("article_id"))
        return queryset


class ArticleAdminForm(forms.ModelForm):
    """The article row. Refuses, on a published or scheduled article, text that would not pass
    the publication gate; shows what the services refused on a retry (see changeform_view)."""

    # The version the editor started from: the save is conditional on it (EditConflict).
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    service_errors: Exception | None = None  # set by ArticleAdmin.get_form on a retry

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and self.instance.status in LIVE:
            problems = services.text_problems(
                headline=cleaned.get("headline", self.instance.headline),
                body=sanitize_body(cleaned.get("body", self.instance.body)),
            )
            for problem in problems:
                field = {services.NO_HEADLINE: "headline", services.NO_BODY: "body"}.get(problem)
                self.add_error(field if field in self.fields else None, problem)
        if self.service_errors is not None:
            self._add_service_errors(self.service_errors)
        return cleaned

    def _add_service_errors(self, error: Exception):
        if isinstance(error, services.EditConflict):
            self.add_error(None, STALE_EDIT.format(current=error.current_version, submitted=self["edit_version"].data))
        elif hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)


@admin.register(Article)
class ArticleAdmin(RevisionHistoryMixin, LeanListMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_defer = ("body",)  # actions load it when they need it
    form = ArticleAdminForm
    list_display = ("headline", "site", "status", "published_at", "read_time", "comment_state")
    list_filter = ("status", "site", "section", BylineAuthorFilter, "published_at")
    list_select_related = ("site", "site__settings")
    search_fields = ("headline", "dek", "body", "bylines__author__name")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("section", "tags")
    filter_horizontal = ("sites",)
    readonly_fields = (
        "status",
        "published_at",
        "pub_date",
        "word_count",
        "read_time",
        "version",
        "comment_state",
        "withdrawn_at",
        "created_at",
        "modified_at",
    )
    fieldsets = (
        (None, {"fields": ("edit_version", "site", "headline", "slug", "dek", "body")}),
        (_("Dateline"), {"fields": (("dateline_place", "dateline_country", "dateline_source"),)}),
        (_("Filing"), {"fields": ("section", "tags")}),
        (
            _("Publication"),
            {
                "description": _(
                    "Publish, schedule and withdraw with the buttons below or the actions of the article list."
                ),
                "fields": (
                    ("status", "version"),
                    ("published_at", "pub_date"),
                    "updated_at",
                    ("word_count", "read_time"),
                    ("withdrawn_at", "withdrawn_reason"),
                    ("created_at", "modified_at"),
                ),
            },
        ),
        (
            _("Advanced"),
            {
                "classes": ("collapse",),
                "fields": (
                    "sites",
                    "source_publisher",
                    "canonical_url",
                    "language",
                    "embargo_until",
                    ("comments_mode", "comment_state"),
                ),
            },
        ),
    )
    inlines = (BylineInline, PhotoInline, CorrectionInline)
    actions = ("publish_selected", "withdraw_selected")

    # -- columns and read-only fields

    @admin.display(description=_("read time"), ordering="word_count")
    def read_time(self, obj):
        return obj.read_time_label

    @admin.display(description=_("comments"))
    def comment_state(self, obj):
        if obj.pk is None:
            return "—"
        state = comments_state(obj)
        return format_html(
            '<span title="{}">{} <small class="quiet">({})</small></span>',
            state.message,
            COMMENT_MODES.get(state.mode, state.mode),
            COMMENT_REASONS.get(state.reason, state.reason),
        )

    def view_on_site(self, obj):
        # Only a public article has a page to look at; a draft's link would be a 404.
        if not obj.is_published():
            return None
        return reverse(
            "admin:view_on_site",
            kwargs={"content_type_id": ContentType.objects.get_for_model(obj).pk, "object_id": obj.pk},
            current_app=self.admin_site.name,
        )

    # -- permissions

    def has_delete_permission(self, request, obj=None):
        return False  # articles are withdrawn, never deleted

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    # -- the form

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.service_errors = getattr(request, "_article_service_errors", None)
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        site = get_current_site(request)
        initial.setdefault("site", site.pk)
        initial.setdefault("language", services.site_settings_for(site=site).language)
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["show_save_and_publish"] = (
            self.has_publish_permission(request)
            and (self.has_add_permission(request) if add else self.has_change_permission(request, obj))
            and (obj is None or obj.status != Article.Status.PUBLISHED)
        )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, services.EditConflict) as error:
            # A service refused the write after the form validated (the new slug clashes with
            # another article's URL, someone else saved first…). The whole request was rolled
            # back; show the form again with the service's reasons as form errors.
            if request.method != "POST" or getattr(request, "_article_service_errors", None) is not None:
                raise
            request._article_service_errors = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    # -- writes

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj, user=request.user, expected_version=form.cleaned_data.get("edit_version"))

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, PositionedFormSet):
            save_positioned(formset)
        elif formset.model is Correction:
            formset.save(commit=False)
            for correction, _changed in formset.changed_objects:
                correction.save()
            # New corrections go through the service: it stamps the article as updated and
            # ties each correction to the revision that made it.
            formset.new_objects = [
                services.correction_add(article=form.instance, text=new.text, kind=new.kind, user=request.user)
                for new in formset.new_objects
            ]
        else:
            super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            entry = LogEntry(change_message=json.dumps(self.construct_change_message(request, form, formsets)))
            message = entry.get_change_message() or "Edited in admin"
        else:
            message = "Created in admin"
        services.revision_create(article=form.instance, user=request.user, message=message)

    def response_add(self, request, obj, post_url_continue=None):
        if "_publish" in request.POST and not self._publish_from_form(request, obj):
            return HttpResponseRedirect(self._change_url(obj))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_publish" in request.POST and not self._publish_from_form(request, obj):
            return HttpResponseRedirect(self._change_url(obj))
        return super().response_change(request, obj)

    def _change_url(self, obj) -> str:
        return reverse("admin:articles_article_change", args=[quote(obj.pk)], current_app=self.admin_site.name)

    def _publish_from_form(self, request, article) -> bool:
        """Publish after a "Save and publish"; on refusal the article stays a saved draft."""
        if not self.has_publish_permission(request):
            self.message_user(request, _("You may not publish articles; the article was saved."), messages.ERROR)
            return False
        if self._publish(request, article):
            self.message_user(request, _("“%s” is published.") % article, messages.SUCCESS)
            return True
        return False

    def _publish(self, request, article) -> bool:
        """Publish ``article`` through the service, reporting refusals and warnings."""
        warnings = services.article_publish_warnings(article=article)
        try:
            services.article_publish(article=article, user=request.user, message="Published in admin")
        except ValidationError as error:
            self.message_user(
                request,
                _("“%(article)s” was not published: %(reasons)s")
                % {"article": article, "reasons": " ".join(error.messages)},
                messages.ERROR,
            )
            return False
        for warning in warnings:
            self.message_user(request, f"“{article}”: {warning}", messages.WARNING)
        return True

    # -- actions

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        published = [article for article in queryset if self._publish(request, article)]
        if published:
            scheduled = sum(1 for article in published if article.status == Article.Status.SCHEDULED)
            text = ngettext("Published %d article.", "Published %d articles.", len(published)) % len(published)
            if scheduled:
                text += " " + ngettext(
                    "%d of them is scheduled for later.", "%d of them are scheduled for later.", scheduled
                ) % (scheduled)
            self.message_user(request, text, messages.SUCCESS)

    @admin.action(description=_("Withdraw selected articles"), permissions=["publish"])
    def withdraw_selected(self, request, queryset):
        withdrawn = 0
        for article in queryset:
            try:
                # The public reason is the one the editor wrote in the article's form.
                services.article_withdraw(
                    article=article, reason=article.withdrawn_reason, user=request.user, message="Withdrawn in admin"
                )
            except ValidationError as error:
                self.message_user(
                    request,
                    _("“%(article)s” was not withdrawn: %(reasons)s")
                    % {"article": article, "reasons": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                withdrawn += 1
        if withdrawn:
            self.message_user(request, ngettext("Withdrew %d article.", "Withdrew %d articles.", withdrawn) % withdrawn)


# --- Images, authors, sections, tags ----------------------------------------------------


class ImageAdminForm(forms.ModelForm):
    """An image. Refuses a file already in the library, and an edit that would leave a
    published article with a photo that fails the publication gate."""

    upload = None  # a new file, stored by services.image_replace_file in ImageAdmin.save_model

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):
            inspect_upload(file)  # the upload rules of services.image_create, as a form error
            twin = Image.objects.filter(sha256=services.file_sha256(file)).exclude(pk=self.instance.pk).first()
            if twin is not None:
                url = reverse("admin:articles_image_change", args=[twin.pk])
                raise ValidationError(format_html(IMAGE_IN_LIBRARY, url=url, image=str(twin)))
            self.upload = file
        return file

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.errors:
            return cleaned
        edited = copy.copy(self.instance)
        for name, value in cleaned.items():
            if name != "file" and hasattr(edited, name):
                setattr(edited, name, value)
        uses = ArticleImage.objects.filter(image_id=self.instance.pk, article__status__in=LIVE).select_related(
            "article"
        )
        for placement in uses:
            placement.image = edited
            for problem in services.image_problems([placement]):
                self.add_error(None, IMAGE_BREAKS_ARTICLE.format(article=placement.article, problem=problem))
        return cleaned


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    form = ImageAdminForm
    list_display = ("thumbnail", "caption_text", "credit_line", "dimensions", "created_at")
    list_display_links = ("thumbnail", "caption_text")
    search_fields = ("caption", "alt_text", "creator", "agency", "distributor")
    date_hierarchy = "created_at"
    list_filter = ("is_staff_photo", "is_decorative")
    readonly_fields = (
        "preview",
        "credit_line",
        "sha256",
        "width",
        "height",
        "original_filename",
        "metadata_display",
        "uploaded_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("file", "preview", "alt_text", "is_decorative", "caption")}),
        (
            _("Credit"),
            {
                "description": _(
                    "The printed credit is built from photographer, agency and distributor "
                    "(“Anatolii Stepanov/AFP via Getty Images”) unless you write an override."
                ),
                "fields": (
                    ("creator", "agency", "distributor"),
                    "copyright_notice",
                    "credit_text",
                    "is_staff_photo",
                    "credit_line",
                ),
            },
        ),
        (
            _("File details"),
            {
                "classes": ("collapse",),
                "fields": (
                    ("width", "height"),
                    "original_filename",
                    "sha256",
                    "source_url",
                    "uploaded_by",
                    ("created_at", "updated_at"),
                    "metadata_display",
                ),
            },
        ),
    )

    @admin.display(description=_("picture"))
    def thumbnail(self, obj):
        return _thumbnail(obj)

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return _thumbnail(obj if obj.pk else None, size=320)

    @admin.display(description=_("caption"), ordering="caption")
    def caption_text(self, obj):
        return str(obj)

    @admin.display(description=_("printed credit"))
    def credit_line(self, obj):
        return obj.credit_line or "—"

    @admin.display(description=_("size"))
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}" if obj.width and obj.height else "—"

    @admin.display(description=_("embedded metadata"))
    def metadata_display(self, obj):
        return _pretty_json(obj.metadata) if obj.metadata else "—"

    def save_model(self, request, obj, form, change):
        if form.upload is not None:
            # A new file goes through the whole pipeline: checked, cleaned (GPS gone),
            # metadata read into empty fields, renditions made after commit.
            services.image_replace_file(image=obj, file=form.upload, user=request.user)
            return
        if "file" in form.changed_data and not obj.file:
            obj.sha256 = obj.original_filename = ""
        if not change:
            obj.uploaded_by = request.user
        services.image_update(image=obj)

    def delete_model(self, request, obj):
        services.image_delete(image=obj)  # files and renditions go after commit

    def delete_queryset(self, request, queryset):
        for image in queryset:
            services.image_delete(image=image)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ("name", "kind", "affiliation", "is_staff_member", "byline_count")
    list_filter = ("kind", "is_staff_member")
    search_fields = ("name", "affiliation")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("user",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "affiliation", "is_staff_member")}),
        (_("Profile"), {"fields": ("bio", "url", "photo", "user")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(byline_count=Count("bylines"))

    def save_model(self, request, obj, form, change):
        services.author_save(author=obj)

    @admin.display(description=_("bylines"), ordering="byline_count")
    def byline_count(self, obj):
        return obj.byline_count


class ArticleCountMixin:
    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Section)
class SectionAdmin(ArticleCountMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "article_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(ArticleCountMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "article_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


# --- Sites and their settings -------------------------------------------------------------


def _time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class SiteSettingsForm(forms.ModelForm):
    """A site's settings. The save is conditional on the version the editor started from."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    time_zone = forms.ChoiceField(
        label=_("time zone"),
        choices=_time_zone_choices,
        initial="UTC",
        help_text=SiteSettings._meta.get_field("time_zone").help_text,
    )

    class Meta:
        model = SiteSettings
        fields = (
            "publisher_name",
            "publisher_logo",
            "time_zone",
            "language",
            "comments_enabled",
            "comments_notice",
            "comments_suspended_until",
            "comments_close_after_days",
            "comments_premoderated",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        submitted = cleaned.get("edit_version")
        if not self.instance._state.adding and submitted is not None and submitted != self.instance.version:
            raise ValidationError(STALE_SETTINGS.format(current=self.instance.version, submitted=submitted))
        return cleaned

    def save_through_service(self) -> SiteSettings:
        """Write the row: a new one is inserted as validated, an existing one is updated by
        ``services.site_settings_update``, conditionally on the version the editor saw."""
        return services.site_settings_update(
            site_settings=self.instance, expected_version=self.cleaned_data.get("edit_version")
        )


COMMENTING_DESCRIPTION = _(
    "When commenting is off, or suspended until a moment still to come, readers of every article "
    "on this site see the notice below instead of the comment form; existing comments stay visible. "
    "A suspension ends by itself. Articles can also close or hide comments one by one."
)
SITE_SETTINGS_FIELDSETS = (
    (None, {"fields": ("edit_version", "publisher_name", "publisher_logo", "time_zone", "language")}),
    (
        _("Commenting"),
        {
            "description": COMMENTING_DESCRIPTION,
            "fields": (
                "comments_enabled",
                "comments_notice",
                "comments_suspended_until",
                "comments_close_after_days",
                "comments_premoderated",
            ),
        },
    ),
)


def _commenting_label(site_settings: SiteSettings | None) -> str:
    if site_settings is None:
        return _("On")
    if not site_settings.comments_enabled:
        return _("Off")
    until = site_settings.comments_suspended_until
    if until is not None and until > timezone.now():
        return _("Suspended")
    return _("On")


class SiteSettingsInline(admin.StackedInline):
    model = SiteSettings
    form = SiteSettingsForm
    fieldsets = SITE_SETTINGS_FIELDSETS
    can_delete = False
    max_num = 1
    min_num = 1
    verbose_name_plural = _("settings")


admin.site.unregister(Site)


@admin.register(Site)
class SiteAdmin(BaseSiteAdmin):
    list_display = ("domain", "name", "publisher_name", "commenting")
    list_select_related = ("settings",)
    search_fields = ("domain", "name")
    inlines = (SiteSettingsInline,)

    @staticmethod
    def _settings(site):
        try:
            return site.settings
        except ObjectDoesNotExist:
            return None

    @admin.display(description=_("publisher"))
    def publisher_name(self, obj):
        site_settings = self._settings(obj)
        return site_settings.publisher_name if site_settings else ""

    @admin.display(description=_("commenting"))
    def commenting(self, obj):
        return _commenting_label(self._settings(obj))

    def save_formset(self, request, form, formset, change):
        if formset.model is SiteSettings:
            formset.save(commit=False)  # sets the site on new rows and lists the changes
            for settings_form in formset.forms:
                if settings_form.has_changed() and settings_form not in formset.deleted_forms:
                    settings_form.save_through_service()
        else:
            super().save_formset(request, form, formset, change)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    form = SiteSettingsForm
    list_display = ("site", "publisher_name", "commenting", "comments_suspended_until", "comments_close_after_days")
    list_select_related = ("site",)
    list_filter = ("comments_enabled",)
    search_fields = ("site__domain", "site__name", "publisher_name")
    actions = ("suspend_commenting", "resume_commenting")

    def get_fieldsets(self, request, obj=None):
        site = (None, {"fields": ("site",)})
        return (site, *SITE_SETTINGS_FIELDSETS)

    def get_readonly_fields(self, request, obj=None):
        return ("site",) if obj is not None else ()  # the site is this row's key

    def has_delete_permission(self, request, obj=None):
        return False  # every site has its row; switch commenting off instead

    @admin.display(description=_("commenting"), ordering="comments_enabled")
    def commenting(self, obj):
        label = _commenting_label(obj)
        return format_html('<strong class="commenting-{}">{}</strong>', str(label).lower(), label)

    def save_model(self, request, obj, form, change):
        form.save_through_service()

    @admin.action(description=_("Suspend commenting on selected sites"), permissions=["change"])
    def suspend_commenting(self, request, queryset):
        count = services.sites_set_commenting(sites=[row.site for row in queryset], enabled=False)
        self.message_user(
            request, ngettext("Commenting suspended on %d site.", "Commenting suspended on %d sites.", count) % count
        )

    @admin.action(description=_("Resume commenting on selected sites"), permissions=["change"])
    def resume_commenting(self, request, queryset):
        count = services.sites_set_commenting(sites=[row.site for row in queryset], enabled=True)
        self.message_user(
            request, ngettext("Commenting resumed on %d site.", "Commenting resumed on %d sites.", count) % count
        )


# --- The archive's records: read-only -----------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the services only; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(LeanListMixin, ReadOnlyAdmin):
    list_defer = ("snapshot", "article__body")
    list_display = ("article", "number", "status", "is_published", "message", "user", "created_at")
    list_select_related = ("article", "user")
    list_filter = ("status", "is_published")
    search_fields = ("article__headline", "message")
    date_hierarchy = "created_at"
    fields = ("article", "number", "status", "is_published", "message", "user", "created_at", "snapshot_display")

    @admin.display(description=_("snapshot"))
    def snapshot_display(self, obj):
        return _pretty_json(obj.snapshot)


@admin.register(SlugHistory)
class SlugHistoryAdmin(LeanListMixin, ReadOnlyAdmin):
    list_defer = ("article__body",)
    list_display = ("old_url", "site", "article", "created_at")
    list_select_related = ("article", "site")
    search_fields = ("slug", "article__headline")
    fields = ("article", "site", "pub_date", "slug", "created_at")

    @admin.display(description=_("old address"), ordering="pub_date")
    def old_url(self, obj):
        return f"/{obj.pub_date:%Y/%m/%d}/{obj.slug}/"
