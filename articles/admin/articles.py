"""Articles: the edit form with its byline, photo and correction inlines, the list, and
the publish and withdraw actions."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..commenting import comments_state
from ..html import sanitize_body
from ..models import (
    Article,
    ArticleImage,
    Author,
    Byline,
    Correction,
)
from .common import (
    COMMENT_MODES,
    COMMENT_REASONS,
    DUPLICATE_POSITION,
    LIVE,
    NEEDS_AUTHOR,
    STALE_EDIT,
    URL_FIELDS_ASSUME_HTTPS,
    LeanListMixin,
    _thumbnail,
)
from .history import RevisionHistoryMixin


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
    actions = ("publish_selected", "withdraw_selected", "restore_selected")

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
        site = request.site  # articles.sites.CurrentSiteMiddleware (default site as fallback)
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

    @admin.action(description=_("Restore selected articles from the trash (republish)"), permissions=["publish"])
    def restore_selected(self, request, queryset):
        """Withdrawn articles are the trash: restoring one publishes it again with its content
        as it was (and its first publication time), until ``purge_trash`` removes it."""
        restored = 0
        for article in queryset:
            if article.status != Article.Status.WITHDRAWN:
                self.message_user(request, _("“%s” is not in the trash.") % article, messages.WARNING)
            elif self._publish(request, article):
                restored += 1
        if restored:
            self.message_user(
                request,
                ngettext("Restored %d article.", "Restored %d articles.", restored) % restored,
                messages.SUCCESS,
            )

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
