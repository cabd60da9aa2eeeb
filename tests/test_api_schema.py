"""The OpenAPI schema and docs. The schemathesis runs (FUZZ-02/03) and the schema check against
docs/openapi.yaml (FUZZ-04) are in tests/reliability/test_fuzz.py."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _clear_throttle_counts():
    # DRF keeps throttle counts in the (local-memory) cache.
    cache.clear()


def test_schema_is_openapi_3_with_the_article_paths(db):
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Newsroom archive API"
    paths = schema["paths"]
    for path, methods in {
        "/api/v1/articles/": {"get", "post"},
        "/api/v1/articles/{id}/": {"get", "put", "patch", "delete"},
        "/api/v1/authors/": {"get", "post"},
        "/api/v1/images/": {"get", "post"},
        "/api/v1/sites/{id}/settings/": {"get", "put", "patch"},
        "/api/v1/auth/token/": {"post"},
    }.items():
        assert methods <= set(paths[path]), path
    patch = paths["/api/v1/articles/{id}/"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" and p["in"] == "header" and p["required"] for p in patch["parameters"])
    filters = {p["name"] for p in paths["/api/v1/articles/"]["get"]["parameters"]}
    assert {
        "site", "author", "tag", "section", "status", "published_after", "published_before", "updated_since", "q",
        "cursor", "page_size", "ordering",
    } <= filters  # fmt: skip


def test_schema_default_format_is_yaml(db):
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def test_docs_use_only_local_assets(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    scripts = re.findall(r"""<script[^>]*\ssrc=["']([^"']+)""", page)
    styles = re.findall(r"""<link[^>]*\shref=["']([^"']+)""", page)
    # Swagger UI's start-up script comes from the docs view itself (no inline script, for CSP).
    assert scripts.pop() == "/api/docs/?script="
    assert scripts and all(src.startswith("/static/") for src in scripts)
    assert styles and all(href.startswith("/static/") for href in styles)
    for asset in scripts + styles:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped with the app"


def test_no_docs_page_loads_outside_assets(db):
    # ReDoc's stock page links Google Fonts, so only the self-contained Swagger UI is served.
    assert APIClient().get("/api/redoc/").status_code == 404
