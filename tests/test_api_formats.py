"""The API's format endpoints: ninjs out, one-file import in."""

import json
from pathlib import Path

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from referencing import Registry, Resource
from rest_framework.test import APIClient

from articles.models import Article
from tests import factories

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.exists():
    SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def ninjs_validator():
    schema = json.loads((SHARED / "standards" / "ninjs-schema-3.1.json").read_text())
    geojson = Resource.from_contents({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"})
    registry = Registry().with_resource("https://geojson.org/schema/GeoJSON.json", geojson)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def test_ninjs_endpoint_returns_a_valid_ninjs_document(site):
    article = factories.published_article(site=site, images=[factories.ImageFactory()])
    response = APIClient().get(f"/api/v1/articles/{article.pk}/ninjs/")
    assert response.status_code == 200
    document = response.json()
    ninjs_validator().validate(document)
    assert document["headlines"][0]["value"] == article.headline
    associations = document["associations"]
    associations = associations.values() if isinstance(associations, dict) else associations
    assert [a["type"] for a in associations] == ["picture"]


def test_ninjs_of_a_draft_is_404_for_the_public(site):
    draft = factories.draft_article(site=site)
    assert APIClient().get(f"/api/v1/articles/{draft.pk}/ninjs/").status_code == 404


@pytest.fixture
def capture():
    path = SHARED / "samples" / "capture-tram-line.txt"
    return SimpleUploadedFile("capture-tram-line.txt", path.read_bytes(), content_type="text/plain")


def test_editors_import_one_file_and_a_reimport_updates_nothing(site, editor, capture):
    api = APIClient()
    api.force_authenticate(editor)
    response = api.post("/api/v1/articles/import/", {"file": capture}, format="multipart")
    assert response.status_code == 200, response.content
    [result] = response.json()
    assert result["status"] == "created"
    article = Article.objects.get(pk=result["article"])
    assert article.headline == "Harbour city votes to bring back its tram line after 40 years"
    assert article.dateline_place.upper() == "LISBON"
    capture.seek(0)
    again = api.post("/api/v1/articles/import/", {"file": capture}, format="multipart").json()
    assert [r["status"] for r in again] == ["unchanged"]
    assert Article.objects.count() == 1


def test_import_needs_permission_and_reports_bad_files(site, contributor, capture):
    api = APIClient()
    assert api.post("/api/v1/articles/import/", {"file": capture}, format="multipart").status_code in (401, 403)
    api.force_authenticate(contributor)
    capture.seek(0)
    refused = api.post("/api/v1/articles/import/", {"file": capture, "publish": True}, format="multipart")
    assert refused.status_code == 403
    broken = SimpleUploadedFile("broken.json", b"{not json", content_type="application/json")
    response = api.post("/api/v1/articles/import/", {"file": broken}, format="multipart")
    assert response.status_code == 200
    assert [r["status"] for r in response.json()] == ["failed"]
    assert Article.objects.count() == 0
