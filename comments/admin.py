"""Comment moderation in the admin."""

from django.contrib import admin, messages
from django.utils.text import Truncator

from . import services
from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("display_name", "excerpt", "article", "site", "status", "created_at")
    list_filter = ("status", "site", "created_at")
    search_fields = ("display_name", "body", "article__headline")
    list_select_related = ("article", "site")
    date_hierarchy = "created_at"
    readonly_fields = ("article", "site", "display_name", "body", "user", "created_at", "moderated_at", "moderated_by")
    fields = ("status", *readonly_fields)
    actions = ("approve", "reject", "mark_spam")

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    def has_add_permission(self, request):
        return False  # readers write comments; moderators only judge them

    def save_model(self, request, obj, form, change):
        services.comments_moderate(comments=[obj], status=obj.status, user=request.user)

    def _moderate(self, request, queryset, status, label):
        count = services.comments_moderate(comments=list(queryset), status=status, user=request.user)
        self.message_user(request, f"{count} comment(s) {label}.", messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, "approved")

    @admin.action(description="Reject selected comments", permissions=["change"])
    def reject(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REJECTED, "rejected")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, "marked as spam")
