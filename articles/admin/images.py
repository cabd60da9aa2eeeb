"""The photo library."""

import copy

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import services
from ..images import inspect_upload
from ..models import (
    ArticleImage,
    Image,
)
from .common import IMAGE_BREAKS_ARTICLE, IMAGE_IN_LIBRARY, LIVE, URL_FIELDS_ASSUME_HTTPS, _pretty_json, _thumbnail


class ImageAdminForm(forms.ModelForm):
    """An image. Refuses a file already in the library, and an edit that would leave a
    published article with a photo that fails the publication gate."""

    # A plain file field: inspect_upload in clean_file is the one check (forms.ImageField
    # would open the upload with every Pillow decoder first).
    file = forms.FileField(label=_("file"), required=False, widget=forms.ClearableFileInput)
    upload = None  # a new file, stored by services.image_replace_file in ImageAdmin.save_model
    uploader = None  # the user uploading, set by ImageAdmin.get_form (for the upload quota)

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):
            inspect_upload(file)  # the upload rules of services.image_create, as a form error
            services.check_upload_quota(self.uploader, file.size)
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"uploader": request.user})

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
