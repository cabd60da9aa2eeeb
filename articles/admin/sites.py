"""Sites and their settings: publisher, time zone and the commenting switch."""

import zoneinfo

from django import forms
from django.contrib import admin
from django.contrib.sites.admin import SiteAdmin as BaseSiteAdmin
from django.contrib.sites.models import Site
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import (
    SiteSettings,
)
from .common import STALE_SETTINGS, PictureFormField


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
        field_classes = {"publisher_logo": PictureFormField}  # checked like every upload
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
