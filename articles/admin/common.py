"""What the admin pages share: messages, list helpers, thumbnails."""

import json

from django import forms
from django.contrib.admin.views.main import ChangeList
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..commenting import CLOSED, HIDDEN, OPEN
from ..models import (
    Article,
    Image,
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


class PictureFormField(forms.FileField):
    """A picture upload checked by ``images.inspect_upload`` (JPEG, PNG, WebP, GIF; pixel and
    byte limits; full decode) instead of Django's ``forms.ImageField``, which would open it
    with every Pillow decoder: ``images.open_picture`` stays the app's one decode path."""

    def clean(self, data, initial=None):
        from ..images import inspect_upload

        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            inspect_upload(value)
        return value


# formfield_overrides for admins of models with an ImageField.
PICTURE_FIELDS = {**URL_FIELDS_ASSUME_HTTPS, models.ImageField: {"form_class": PictureFormField}}


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
