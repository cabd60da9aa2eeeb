"""Shared fixtures. Tests never touch the real media/ folder and use a fast password hasher."""

import os

import pytest
from django.contrib.sites.models import Site

from articles.models import SiteSettings

from . import factories


@pytest.fixture(autouse=True)
def _media_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_site_cache():
    # The sites framework caches Site rows per process; tests create and change them.
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


@pytest.fixture
def site(db):
    """The default site (seeded by migration) with its settings row."""
    site = Site.objects.get(pk=1)
    SiteSettings.objects.get_or_create(site=site)
    return site


@pytest.fixture
def published_article(site):
    return factories.published_article(site=site)


@pytest.fixture
def editor(db):
    return factories.user_in_group("Editor", username="editor")


@pytest.fixture
def contributor(db):
    return factories.user_in_group("Contributor", username="contributor")


@pytest.fixture
def admin_user_client(client, admin_user):
    client.force_login(admin_user)
    return client


def database_vendor() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"
