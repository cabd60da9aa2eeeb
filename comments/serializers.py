"""Comment shapes for the API."""

from rest_framework import serializers

from articles.api.serializers import RejectUnknownFieldsMixin

from .models import Comment


class CommentSerializer(serializers.ModelSerializer):
    """A published comment as readers see it (no e-mail, no address)."""

    class Meta:
        model = Comment
        fields = ("id", "display_name", "body_html", "created_at")
        read_only_fields = fields


class CommentInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    display_name = serializers.CharField(max_length=200, help_text="Shown with the comment.")
    body = serializers.CharField(
        max_length=20000, trim_whitespace=False, help_text="Plain text; blank lines split paragraphs."
    )
    email = serializers.EmailField(
        required=False, allow_blank=True, help_text="Optional; never shown, kept only as a hash."
    )


class CommentPostedSerializer(serializers.ModelSerializer):
    message = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ("id", "status", "message")
        read_only_fields = fields

    def get_message(self, comment) -> str:
        if comment.status == Comment.Status.APPROVED:
            return "Thank you: your comment is published."
        return "Thank you: your comment is awaiting moderation."


class ModerationSerializer(serializers.ModelSerializer):
    """A comment as moderators see it."""

    class Meta:
        model = Comment
        fields = ("id", "article", "site", "display_name", "body", "body_html", "status", "created_at", "moderated_at")
        read_only_fields = ("id", "article", "site", "display_name", "body", "body_html", "created_at", "moderated_at")


class ModerationInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=Comment.Status.choices)
    ignored_fields = frozenset(ModerationSerializer.Meta.read_only_fields)
