"""Comment endpoints: ``articles/{id}/comments/`` (read approved, post) and ``comments/``
(moderation, staff)."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from articles.api.pagination import KeysetPagination, Ordering
from articles.models import Article
from articles.sites import site_settings_for_request

from . import services
from .models import Comment
from .serializers import (
    CommentInputSerializer,
    CommentPostedSerializer,
    CommentSerializer,
    ModerationInputSerializer,
    ModerationSerializer,
)


def client_address(request) -> str:
    """The client's address as the API throttles see it (``NUM_PROXIES`` aware), so a
    rotating ``X-Forwarded-For`` buys nothing."""
    return BaseThrottle().get_ident(request)


class CommentPagination(KeysetPagination):
    page_size = 50


def article_comments(request, pk, *, view):
    """GET approved comments oldest first; POST a new one (403 with the notice when commenting
    is not open, 429 past the rate, nothing stored either way)."""
    article = get_object_or_404(Article.objects.published().select_related("site__settings"), pk=pk)
    if request.method == "GET":
        paginator = CommentPagination(orderings={"created_at": Ordering("created_at", descending=False)})
        page = paginator.paginate_queryset(article.comments.approved(), request, view=view)
        return paginator.get_paginated_response(CommentSerializer(page, many=True).data)

    serializer = CommentInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    site_settings = site_settings_for_request(request)
    try:
        comment = services.comment_post(
            article=article,
            user=request.user,
            client_address=client_address(request),
            site_settings=site_settings,
            **serializer.validated_data,
        )
    except services.CommentsClosed as closed:
        return Response({"detail": closed.message, "reason": closed.reason}, status=status.HTTP_403_FORBIDDEN)
    except services.RateLimited as limited:
        response = Response({"detail": str(limited)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        response["Retry-After"] = str(limited.retry_after)
        return response
    return Response(CommentPostedSerializer(comment).data, status=status.HTTP_201_CREATED)


# extend_schema() arguments for the two methods of ``articles/{id}/comments/``.
ARTICLE_COMMENTS_SCHEMA = {
    "get": {
        "summary": "Approved comments on an article, oldest first",
        "responses": {
            200: CommentSerializer(many=True),
            404: OpenApiResponse(description="No such published article."),
        },
    },
    "post": {
        "summary": "Post a comment",
        "request": CommentInputSerializer,
        "responses": {
            201: CommentPostedSerializer,
            400: OpenApiResponse(description="Empty, too long or duplicate."),
            403: OpenApiResponse(description="Commenting is not open: `detail` is the notice readers see."),
            404: OpenApiResponse(description="No such published article."),
            429: OpenApiResponse(description="Too many comments; see Retry-After."),
        },
    },
}


class ModerationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Comment.Status.choices)
    article = django_filters.NumberFilter(field_name="article_id", min_value=1, max_value=2**63 - 1)
    site = django_filters.NumberFilter(field_name="site_id", min_value=1, max_value=2**63 - 1)

    class Meta:
        model = Comment
        fields = []


class CanModerate(permissions.BasePermission):
    message = "Moderating comments needs the comment moderation permission."

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.has_perm("comments.change_comment")


@extend_schema_view(
    list=extend_schema(summary="Comments for moderation (staff)"),
    retrieve=extend_schema(summary="A comment (staff)"),
    partial_update=extend_schema(
        summary="Approve, reject or mark a comment as spam", request=ModerationInputSerializer
    ),
    update=extend_schema(summary="Set a comment's moderation status", request=ModerationInputSerializer),
)
class ModerationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    lookup_value_regex = r"[1-9][0-9]{0,17}"
    permission_classes = [permissions.IsAuthenticated, CanModerate]
    serializer_class = ModerationSerializer
    filterset_class = ModerationFilter
    pagination_class = CommentPagination
    orderings = {
        "-created_at": Ordering("created_at", descending=True),
        "created_at": Ordering("created_at", descending=False),
    }
    queryset = Comment.objects.all()

    def get_default_ordering(self) -> str:
        return "-created_at"

    def update(self, request, *args, partial=False, **kwargs):
        comment = self.get_object()
        serializer = ModerationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.comments_moderate(comments=[comment], status=serializer.validated_data["status"], user=request.user)
        comment.refresh_from_db()
        return Response(ModerationSerializer(comment).data)
