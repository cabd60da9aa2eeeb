"""Read-only records written by the services: revisions, old addresses, purged addresses."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    Revision,
    SlugHistory,
    Tombstone,
)
from .common import LeanListMixin, _pretty_json


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


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdmin):
    """Addresses of articles purged from the trash (``manage.py purge_trash``): they answer 410."""

    list_display = ("address", "site", "article_id", "withdrawn_reason", "purged_at")
    list_select_related = ("site",)
    search_fields = ("slug", "withdrawn_reason")
    date_hierarchy = "purged_at"
    fields = ("article_id", "site", "pub_date", "slug", "withdrawn_at", "withdrawn_reason", "purged_at")

    @admin.display(description=_("address"), ordering="pub_date")
    def address(self, obj):
        return f"/{obj.pub_date:%Y/%m/%d}/{obj.slug}/"
