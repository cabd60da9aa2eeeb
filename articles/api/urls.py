"""REST API routes, version 1."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from comments.api import ModerationViewSet

from . import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# No ".json" suffix routes: JSON is the only format, and the suffix variants of the extra
# actions answered 500 (their methods take no ``format`` argument).
router.include_format_suffixes = False
router.register("articles", views.ArticleViewSet, basename="article")
router.register("authors", views.AuthorViewSet, basename="author")
router.register("images", views.ImageViewSet, basename="image")
router.register("sites", views.SiteViewSet, basename="site")
router.register("comments", ModerationViewSet, basename="comment")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    *router.urls,
]
