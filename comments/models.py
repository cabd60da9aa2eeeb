"""Reader comments. Whether an article takes comments is decided by
``articles.commenting.comments_state`` alone."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """Comments readers may see."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        """Comments waiting for a moderator."""
        return self.filter(status=Comment.Status.PENDING)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", help_text=_("Where it was posted."))
    display_name = models.CharField(_("name"), max_length=80)
    email_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text=_("Keyed hash of the e-mail; the address is not kept.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    body_html = models.TextField(editable=False)
    body_hash = models.CharField(max_length=64, editable=False, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    client_hash = models.CharField(max_length=64, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "status", "created_at"], name="comment_article_status_time")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty"),
            models.CheckConstraint(condition=~Q(display_name=""), name="comment_name_not_empty"),
        ]

    def __str__(self):
        return f"{self.display_name} on {self.article_id}: {self.body[:50]}"
