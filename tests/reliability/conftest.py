"""Fixtures shared by the SEC/API/FUZZ rows: a catalogue with every article state, and one
concrete URL for every URL pattern of the project."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles import renditions, services
from articles.models import Article, SlugHistory, Tag
from comments.models import Comment
from tests import factories


@pytest.fixture
def world(site, editor, admin_user):
    """Published (with an uploaded photo, tag, section and an approved comment), draft,
    scheduled, embargoed and withdrawn articles, a photo used only by the draft, and a photo
    used by nothing."""
    now = timezone.now()
    section = factories.SectionFactory()
    tag = Tag.objects.create(name="Transport", slug="transport")
    photo = factories.image_with_file(alt_text="A tram at dusk", creator="Ana Ribeiro")
    published = factories.published_article(
        site=site, headline="Trams return to the harbour", slug="trams-return", images=[photo], section=section
    )
    published.tags.add(tag)
    draft_photo = factories.image_with_file(upload={"color": (10, 120, 200)}, alt_text="Draft only")
    loose_photo = factories.image_with_file(upload={"color": (90, 10, 10)}, alt_text="Nobody uses me")
    withdrawn = factories.published_article(site=site, headline="Withdrawn story", slug="withdrawn-story")
    services.article_withdraw(article=withdrawn, reason="The story relied on a forged document.")
    comment = Comment.objects.create(
        article=published,
        site=site,
        display_name="Reader",
        body="Good news.",
        body_html="<p>Good news.</p>",
        body_hash="x" * 64,
        client_hash="y" * 64,
        status=Comment.Status.APPROVED,
    )
    SlugHistory.objects.create(article=published, site=site, pub_date=published.published_at.date(), slug="old-slug")
    token = Token.objects.create(user=editor)
    return {
        "token": token.key,
        "site": site,
        "published": published,
        "draft": factories.draft_article(site=site, headline="Secret draft", slug="secret-draft", images=[draft_photo]),
        "scheduled": factories.published_article(
            site=site, headline="Secret scheduled", slug="secret-scheduled", published_at=now + timedelta(days=1)
        ),
        "embargoed": factories.published_article(
            site=site, headline="Secret embargoed", slug="secret-embargoed", embargo_until=now + timedelta(days=1)
        ),
        "withdrawn": withdrawn,
        "photo": photo,
        "draft_photo": draft_photo,
        "loose_photo": loose_photo,
        "section": section,
        "tag": tag,
        "comment": comment,
        "author": published.bylines.first().author,
        "editor": editor,
        "admin": admin_user,
    }


@pytest.fixture
def api():
    """``api(user=None, token=None)`` → an APIClient (anonymous, forced user or token)."""

    def make(user=None, token=None) -> APIClient:
        client = APIClient(raise_request_exception=False)
        if user is not None:
            client.force_authenticate(user)
        if token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return make


# --- One URL per URL pattern ---------------------------------------------------------------


def iter_patterns(patterns=None, namespace="", route=""):
    """``(name or None, route text, keyword names)`` for every leaf pattern of the URLconf."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = route + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from iter_patterns(pattern.url_patterns, ns, text)
        elif isinstance(pattern, URLPattern):
            keys = tuple(pattern.pattern.regex.groupindex)
            yield (f"{namespace}{pattern.name}" if pattern.name else None), text, keys


def _admin_model(name: str):
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


def url_for_pattern(name, route, keys, world) -> str:
    """A concrete URL that the pattern resolves, filled from the world's real objects."""
    published = world["published"]
    if name is None:
        if route.startswith("admin/login/"):
            return "/admin/login/"
        if route.startswith("admin/") and "url" in keys:
            return "/admin/no-such-page/"
        if route.startswith("admin/") and keys == ("object_id",):  # old-style change URL: redirects
            app_label, model_name = route.split("/")[1:3]
            model = apps.get_model(app_label, model_name)
            pk = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
            return "/" + route.replace("<path:object_id>", str(pk))
        if route.startswith("^" + settings.MEDIA_URL.lstrip("/")):
            # Development only: cms/urls.py serves media when DEBUG was on at import time.
            return settings.MEDIA_URL + "images/no-such-file.jpg"
        raise AssertionError(f"unnamed pattern without a recipe: {route}")
    kwargs = {}
    for key in keys:
        if key == "format":
            kwargs[key] = "json"
        elif name.startswith("admin:"):
            model = _admin_model(name)
            if key == "app_label":
                kwargs[key] = "articles"
            elif key == "content_type_id":
                kwargs[key] = ContentType.objects.get_for_model(Article).pk
            elif key == "object_id" and name == "admin:view_on_site":
                kwargs[key] = published.pk
            elif key in {"object_id", "id"}:
                if model is User or model is None:
                    kwargs[key] = world["editor"].pk
                elif model is Site:
                    kwargs[key] = world["site"].pk
                elif model is Article:
                    kwargs[key] = published.pk
                else:
                    kwargs[key] = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
            elif key in {"old", "new", "number", "revision_id"}:
                numbers = list(published.revisions.order_by("number").values_list("number", "pk"))
                kwargs[key] = {"old": numbers[0][0], "new": numbers[-1][0], "number": numbers[0][0]}.get(
                    key, numbers[0][1]
                )
            else:
                raise AssertionError(f"no value for {key} in {name}")
        elif key in {"year", "month", "day"}:
            kwargs[key] = resolve(published.get_absolute_url()).kwargs[key]
        elif key == "slug" and "year" in keys:
            kwargs[key] = published.slug
        elif key == "slug":
            kwargs[key] = {
                "articles:author": world["author"].slug,
                "articles:tag": world["tag"].slug,
                "articles:section": world["section"].slug,
            }.get(name, published.slug)
        elif key == "section":
            kwargs[key] = world["section"].slug
        elif key == "number":
            kwargs[key] = published.revisions.filter(is_published=True).values_list("number", flat=True).first()
        elif key == "pk":
            kwargs[key] = {
                "api:author-detail": world["author"].pk,
                "api:image-detail": world["photo"].pk,
                "api:site-detail": world["site"].pk,
                "api:site-site-settings": world["site"].pk,
                "api:comment-detail": world["comment"].pk,
                "renditions:rendition": world["photo"].pk,
                "articles:preview": world["draft"].pk,
            }.get(name, published.pk)
        elif key in {"width", "fmt"}:
            spec = renditions.rendition_specs(world["photo"])[0]
            kwargs.update(width=spec.width, fmt=spec.format)
        else:
            raise AssertionError(f"no value for {key} in {name} ({route})")
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def every_url(world):
    """``[(pattern label, url)]``: one concrete URL per URL pattern of the project."""
    urls = []
    for name, route, keys in iter_patterns():
        urls.append((name or route, url_for_pattern(name, route, keys, world)))
    return urls


@pytest.fixture
def redis_cache(settings, redis_url):
    """The default cache on the real Redis (skips without one), under a key prefix of its own."""
    from django.core.cache import caches

    from .liveservices import free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"reliability-{free_port()}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()
