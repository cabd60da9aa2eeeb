"""Authors, sections and tags."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    Author,
    Section,
    Tag,
)
from .common import PICTURE_FIELDS


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    formfield_overrides = PICTURE_FIELDS
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
