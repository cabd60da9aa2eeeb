"""REST API: images (upload checked by content), authors, sites and their settings, tokens
and throttling."""

import base64
import hashlib
import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from articles import services
from articles.images import BROKEN_IMAGE, NOT_AN_IMAGE
from articles.models import Author, Image, SiteSettings
from tests import factories

IMAGES = "/api/v1/images/"
AUTHORS = "/api/v1/authors/"
SITES = "/api/v1/sites/"
TOKEN = "/api/v1/auth/token/"
NOT_AUTHENTICATED = {"detail": "Authentication credentials were not provided."}
PRECONDITION_FAILED = {
    "detail": "The resource was changed by someone else since you loaded it: GET it again and reapply your change."
}


@pytest.fixture(autouse=True)
def _clear_throttle_counts():
    # DRF keeps throttle counts in the (local-memory) cache.
    cache.clear()


@pytest.fixture
def clients(db, contributor, editor, admin_user):
    users = {"anonymous": None, "contributor": contributor, "editor": editor, "superuser": admin_user}

    def make(role: str) -> APIClient:
        client = APIClient(raise_request_exception=False)
        if users[role] is not None:
            client.force_authenticate(users[role])
        return client

    return make


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(client, name: str, data: bytes, content_type: str = "image/jpeg", **fields):
    return client.post(IMAGES, {"file": SimpleUploadedFile(name, data, content_type), **fields}, format="multipart")


def noisy_jpeg(size=400) -> bytes:
    buffer = io.BytesIO()
    PILImage.effect_noise((size, size), 64).convert("RGB").save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def first_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def png_bomb(width: int, height: int) -> bytes:
    """A tiny 1-bit PNG whose header promises a huge picture (RELIABILITY.md, Recipes)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


# --- Image upload ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "content_type", "extension"),
    [
        ("JPEG", "photo.jpg", "image/jpeg", ".jpg"),
        ("PNG", "chart.png", "image/png", ".png"),
        ("WEBP", "photo.webp", "image/webp", ".webp"),
        ("GIF", "anim.gif", "image/gif", ".gif"),
    ],
)
def test_upload_each_allowed_format(clients, settings, fmt, name, content_type, extension):
    data = factories.image_bytes(120, 90, fmt)
    response = upload(clients("contributor"), name, data, content_type, alt_text="A tram", creator="Ana Ribeiro")
    assert response.status_code == 201, response.content
    body = response.json()
    image = Image.objects.get(pk=body["id"])
    assert (body["width"], body["height"]) == (120, 90)
    assert body["sha256"] == hashlib.sha256(data).hexdigest() == image.sha256
    assert (body["alt_text"], body["creator"], body["credit_line"]) == ("A tram", "Ana Ribeiro", "Ana Ribeiro")
    assert image.file.name.endswith(extension)
    assert image.original_filename == name
    assert body["url"] == f"http://testserver{image.file.url}"
    assert stored_files(settings) == [Path(settings.MEDIA_ROOT) / image.file.name]


@pytest.mark.parametrize(
    ("fmt", "name", "content_type", "extension"),
    [
        ("GIF", "photo.jpg", "image/jpeg", ".gif"),
        ("PNG", "shell.php.jpg", "image/jpeg", ".png"),
        ("JPEG", "page.html", "text/html", ".jpg"),
        ("JPEG", "../../etc/x.jpg", "image/jpeg", ".jpg"),
    ],
)
def test_stored_name_follows_the_content_not_the_client(clients, settings, fmt, name, content_type, extension):
    response = upload(clients("editor"), name, factories.image_bytes(fmt=fmt), content_type)
    assert response.status_code == 201, response.content
    image = Image.objects.get(pk=response.json()["id"])
    assert image.file.name.startswith("images/")
    assert image.file.name.endswith(extension)
    assert ".php" not in image.file.name and ".." not in image.file.name
    [stored] = stored_files(settings)
    assert stored.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_same_file_twice_returns_the_existing_image(clients, settings):
    data = factories.image_bytes(fmt="PNG")
    first = upload(clients("editor"), "a.png", data, "image/png")
    second = upload(clients("contributor"), "copy-of-a.png", data, "image/png", caption="Again")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert Image.objects.count() == 1
    assert len(stored_files(settings)) == 1


NOT_IMAGE_BODY = {"detail": NOT_AN_IMAGE, "errors": [NOT_AN_IMAGE]}
BROKEN_BODY = {"detail": BROKEN_IMAGE, "errors": [BROKEN_IMAGE]}
REFUSED_UPLOADS = {
    "text renamed .jpg": (
        "notes.jpg",
        lambda: b"Meeting notes: the council votes on Tuesday.\n" * 20,
        NOT_IMAGE_BODY,
    ),
    "svg renamed .png": (
        "logo.png",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        NOT_IMAGE_BODY,
    ),
    "html": ("x.html", lambda: b"<html><script>alert(1)</script></html>", NOT_IMAGE_BODY),
    "pdf": ("x.jpg", lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", NOT_IMAGE_BODY),
    "tiff": ("x.jpg", lambda: factories.image_bytes(fmt="TIFF"), NOT_IMAGE_BODY),
    "bmp": ("x.jpg", lambda: factories.image_bytes(fmt="BMP"), NOT_IMAGE_BODY),
    "truncated jpeg": ("half.jpg", lambda: first_half(noisy_jpeg()), BROKEN_BODY),
    "png cut before IEND": (
        "cut.png",
        lambda: first_half(factories.image_bytes(300, 300, "PNG")),
        None,
    ),
    "9000x9000 png (over our pixel cap)": (
        "big.png",
        lambda: png_bomb(9000, 9000),
        {
            "detail": "The picture is too large (9000×9000); the limit is 50000000 pixels and 12000 pixels a side.",
            "errors": ["The picture is too large (9000×9000); the limit is 50000000 pixels and 12000 pixels a side."],
        },
    ),
    "13000x10 png (over the side cap)": ("wide.png", lambda: png_bomb(13000, 10), None),
    "zero bytes": ("empty.jpg", lambda: b"", {"file": ["The submitted file is empty."]}),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED_UPLOADS)
def test_refused_uploads_answer_400_and_store_nothing(clients, settings, case):
    name, make, expected = REFUSED_UPLOADS[case]
    response = upload(clients("editor"), name, make())
    assert response.status_code == 400, response.content
    if expected is not None:
        assert response.json() == expected
    else:
        assert response.json()["detail"]
    assert Image.objects.count() == 0
    assert stored_files(settings) == []


def test_decompression_bomb_is_refused_quickly_and_nothing_is_stored(clients, settings):
    bomb = png_bomb(20000, 20000)
    assert len(bomb) < 100_000
    started = time.perf_counter()
    response = upload(clients("editor"), "bomb.png", bomb, "image/png")
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert "400000000 pixels" in response.json()["detail"]
    assert elapsed < 1.0
    assert Image.objects.count() == 0
    assert stored_files(settings) == []


def test_upload_over_the_byte_limit_is_refused(clients, settings):
    data = noisy_jpeg(200)
    settings.NEWSROOM = {**settings.NEWSROOM, "MAX_IMAGE_BYTES": len(data) - 1}
    response = upload(clients("editor"), "big.jpg", data)
    message = f"The file is too large ({len(data)} bytes); the limit is {len(data) - 1} bytes."
    assert (response.status_code, response.json()) == (400, {"detail": message, "errors": [message]})
    assert Image.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, {"file": ["No file was submitted."]}),
        ({"file": "not a file"}, {"file": ["The submitted data was not a file. Check the encoding type on the form."]}),
        (
            {"file": SimpleUploadedFile("a.jpg", factories.image_bytes()), "uploaded_by": "1"},
            {"uploaded_by": ["Unknown field."]},
        ),
        (
            {"file": SimpleUploadedFile("a.jpg", factories.image_bytes()), "source_url": "javascript:alert(1)"},
            {"source_url": ["Enter a valid URL."]},
        ),
    ],
)
def test_bad_upload_forms_answer_400(clients, settings, data, expected):
    response = clients("editor").post(IMAGES, data, format="multipart")
    assert (response.status_code, response.json()) == (400, expected)
    assert Image.objects.count() == 0
    assert stored_files(settings) == []


def test_upload_as_json_is_refused(clients):
    response = clients("editor").post(
        IMAGES, {"file": base64.b64encode(factories.image_bytes()).decode()}, format="json"
    )
    assert response.status_code == 400
    assert Image.objects.count() == 0


def test_anonymous_cannot_upload(clients, settings):
    response = upload(clients("anonymous"), "a.jpg", factories.image_bytes())
    assert (response.status_code, response.json()) == (403, NOT_AUTHENTICATED)
    assert Image.objects.count() == 0
    assert stored_files(settings) == []


@pytest.fixture
def image_uses(site):
    """Images used by a published, a draft, an embargoed and a withdrawn article, and one unused."""
    from datetime import timedelta

    from django.utils import timezone

    public, draft, embargoed, withdrawn, unused = (factories.ImageFactory(caption=c) for c in "PDEWU")
    factories.published_article(site=site, images=[public])
    factories.draft_article(site=site, images=[draft])
    factories.published_article(site=site, images=[embargoed], embargo_until=timezone.now() + timedelta(days=1))
    gone = factories.published_article(site=site, images=[withdrawn])
    services.article_withdraw(article=gone)
    return {"public": public, "draft": draft, "embargoed": embargoed, "withdrawn": withdrawn, "unused": unused}


def test_anonymous_image_list_shows_only_images_of_published_articles(clients, image_uses):
    response = clients("anonymous").get(IMAGES)
    assert response.status_code == 200
    assert [i["caption"] for i in response.json()["results"]] == ["P"]
    for name, image in image_uses.items():
        expected = 200 if name == "public" else 404
        assert clients("anonymous").get(f"{IMAGES}{image.pk}/").status_code == expected, name


@pytest.mark.parametrize("role", ["contributor", "editor"])
def test_staff_image_list_shows_every_image(clients, image_uses, role):
    response = clients(role).get(IMAGES)
    assert sorted(i["caption"] for i in response.json()["results"]) == ["D", "E", "P", "U", "W"]
    assert [i["id"] for i in response.json()["results"]] == sorted((i.pk for i in image_uses.values()), reverse=True)


def test_image_list_pages_with_a_cursor(clients):
    images = [factories.ImageFactory() for _ in range(5)]
    seen, url = [], f"{IMAGES}?page_size=2"
    while url:
        page = clients("editor").get(url).json()
        seen += [i["id"] for i in page["results"]]
        url = page["next"]
    assert seen == sorted((i.pk for i in images), reverse=True)


def test_editor_changes_image_metadata(clients):
    image = factories.image_with_file(alt_text="Old alt", creator="Anatolii Stepanov", agency="AFP")
    sha, width = image.sha256, image.width
    response = clients("editor").patch(
        f"{IMAGES}{image.pk}/",
        {"alt_text": "Trams at the depot", "agency": "Reuters", "distributor": "", "sha256": "0" * 64, "width": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    image.refresh_from_db()
    assert (image.alt_text, image.agency, image.sha256, image.width) == ("Trams at the depot", "Reuters", sha, width)
    assert response.json()["credit_line"] == "Anatolii Stepanov/Reuters"


@pytest.mark.parametrize(
    ("role", "body", "status", "expected"),
    [
        ("anonymous", {"alt_text": "x"}, 403, NOT_AUTHENTICATED),
        ("editor", {"file": "x"}, 400, {"file": ["Unknown field."]}),
        ("editor", {"alt_text": "x" * 501}, 400, {"alt_text": ["Ensure this field has no more than 500 characters."]}),
        ("editor", {"caption": "a\x00b"}, 400, {"caption": ["Null characters are not allowed."]}),
    ],
)
def test_refused_image_changes_change_nothing(clients, role, body, status, expected):
    image = factories.ImageFactory()
    before = Image.objects.filter(pk=image.pk).values().get()
    response = clients(role).patch(f"{IMAGES}{image.pk}/", body, format="json")
    assert (response.status_code, response.json()) == (status, expected)
    assert Image.objects.filter(pk=image.pk).values().get() == before


def test_images_in_use_cannot_be_deleted(clients, site):
    image = factories.ImageFactory()
    factories.draft_article(site=site, images=[image])
    response = clients("superuser").delete(f"{IMAGES}{image.pk}/")
    assert response.status_code == 400
    assert Image.objects.filter(pk=image.pk).exists()


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        (IMAGES, '["-id","s","abc",1]'),
        (IMAGES, '["-id","dt","2020-01-01T00:00:00Z",1]'),
        (SITES, '["id","s","x",1]'),
        (AUTHORS, '["-id","s","abc",1]'),
    ],
)
def test_forged_cursor_of_the_wrong_kind_answers_400(clients, url, payload):
    factories.ImageFactory()
    cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    ordering = {IMAGES: "-id", SITES: "id", AUTHORS: "-id"}[url]
    response = clients("editor").get(url, {"cursor": cursor, "ordering": ordering})
    assert response.status_code == 400


# --- Authors -------------------------------------------------------------------------------------


def test_authors_are_public(clients):
    ana = factories.AuthorFactory(name="Ana Ribeiro", slug="ana-ribeiro", bio="Transport", affiliation="Courier")
    factories.AuthorFactory(name="Tom Hale", slug="tom-hale")
    response = clients("anonymous").get(AUTHORS)
    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "results": [
            {
                "id": ana.pk,
                "name": "Ana Ribeiro",
                "slug": "ana-ribeiro",
                "kind": "person",
                "bio": "Transport",
                "url": "",
                "affiliation": "Courier",
                "is_staff_member": False,
            },
            {
                "id": Author.objects.get(slug="tom-hale").pk,
                "name": "Tom Hale",
                "slug": "tom-hale",
                "kind": "person",
                "bio": "",
                "url": "",
                "affiliation": "",
                "is_staff_member": False,
            },
        ],
    }
    assert clients("anonymous").get(f"{AUTHORS}{ana.pk}/").json()["slug"] == "ana-ribeiro"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("ribei", ["Ana Ribeiro"]), ("HALE", ["Tom Hale"]), ("a", ["Ana Ribeiro", "Tom Hale"]), ("zz", []), ("", None)],
)
def test_author_search(clients, query, expected):
    factories.AuthorFactory(name="Ana Ribeiro", slug="ana-ribeiro")
    factories.AuthorFactory(name="Tom Hale", slug="tom-hale")
    names = [a["name"] for a in clients("anonymous").get(AUTHORS, {"q": query}).json()["results"]]
    assert names == (expected if expected is not None else ["Ana Ribeiro", "Tom Hale"])


def test_author_search_with_a_nul_byte_is_not_a_server_error(clients):
    factories.AuthorFactory(name="Ana Ribeiro", slug="ana-ribeiro")
    response = clients("anonymous").get(AUTHORS, {"q": "ana\x00"})
    assert response.status_code in (200, 400)


def test_author_cursor_with_a_nul_byte_is_not_a_server_error(clients):
    factories.AuthorFactory(name="Ana Ribeiro", slug="ana-ribeiro")
    cursor = base64.urlsafe_b64encode(b'["name","s","\\u0000",1]').decode().rstrip("=")
    response = clients("anonymous").get(AUTHORS, {"cursor": cursor})
    assert response.status_code in (200, 400)


def test_creating_an_author_needs_permission(clients):
    response = clients("anonymous").post(AUTHORS, {"name": "Ana Ribeiro", "slug": "ana-ribeiro"}, format="json")
    assert (response.status_code, response.json()) == (403, NOT_AUTHENTICATED)
    assert Author.objects.count() == 0


@pytest.mark.parametrize("role", ["contributor", "editor"])
def test_staff_create_an_author(clients, role):
    response = clients(role).post(
        AUTHORS,
        {"name": "Ana Ribeiro", "slug": "ana-ribeiro", "kind": "person", "affiliation": "Reuters"},
        format="json",
    )
    assert response.status_code == 201, response.content
    author = Author.objects.get()
    assert response.json() == {
        "id": author.pk,
        "name": "Ana Ribeiro",
        "slug": "ana-ribeiro",
        "kind": "person",
        "bio": "",
        "url": "",
        "affiliation": "Reuters",
        "is_staff_member": False,
    }


def test_author_slug_is_made_from_the_name(clients):
    response = clients("editor").post(AUTHORS, {"name": "Zoë Ångström"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "zoë-ångström"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": "Ana", "slug": "ana-ribeiro"}, {"slug": ["author with this slug already exists."]}),
        ({"name": "", "slug": "x"}, {"name": ["This field may not be blank."]}),
        ({"name": "Ana", "slug": "has spaces"}, None),
        ({"name": "Ana", "slug": "ana", "kind": "robot"}, {"kind": ['"robot" is not a valid choice.']}),
        ({"name": "Ana", "slug": "ana", "user": 1}, {"user": ["Unknown field."]}),
        ({"name": "Ana\x00", "slug": "ana"}, {"name": ["Null characters are not allowed."]}),
        ({"name": ["Ana"], "slug": "ana"}, {"name": ["Not a valid string."]}),
    ],
)
def test_bad_author_input_answers_400_and_writes_nothing(clients, body, expected):
    factories.AuthorFactory(name="Ana Ribeiro", slug="ana-ribeiro")
    response = clients("editor").post(AUTHORS, body, format="json")
    assert response.status_code == 400
    if expected is not None:
        assert response.json() == expected
    assert Author.objects.count() == 1


def test_staff_change_an_author(clients):
    author = factories.AuthorFactory(name="Ana Ribeiro", slug="ana-ribeiro")
    response = clients("contributor").patch(f"{AUTHORS}{author.pk}/", {"bio": "Covers transport."}, format="json")
    assert response.status_code == 200
    author.refresh_from_db()
    assert author.bio == "Covers transport."
    assert clients("anonymous").patch(f"{AUTHORS}{author.pk}/", {"bio": "x"}, format="json").status_code == 403
    assert clients("superuser").delete(f"{AUTHORS}{author.pk}/").status_code == 405
    author.refresh_from_db()
    assert author.bio == "Covers transport."


# --- Sites and settings -------------------------------------------------------------------------

SETTINGS = f"{SITES}1/settings/"


def settings_row(site) -> dict:
    return SiteSettings.objects.filter(site=site).values().get()


def test_sites_are_public(clients, site):
    response = clients("anonymous").get(SITES)
    assert response.status_code == 200
    [entry] = response.json()["results"]
    assert (entry["id"], entry["domain"], entry["name"]) == (1, "localhost", "Newsroom")
    assert entry["settings"]["comments_enabled"] is True
    assert clients("anonymous").get(f"{SITES}1/").json() == entry


def test_settings_answer_with_an_etag(clients, site):
    response = clients("anonymous").get(SETTINGS)
    assert response.status_code == 200
    row = SiteSettings.objects.get(site=site)
    assert response["ETag"] == f'"settings-1-v{row.version}"'
    assert response["Last-Modified"]
    assert response.json()["site"] == 1
    assert response.json()["comments_notice"] == ""


def test_editor_switches_commenting_off_with_a_notice(clients, site, published_article):
    tag = clients("editor").get(SETTINGS)["ETag"]
    notice = "We are temporarily suspending article commenting."
    response = clients("editor").patch(
        SETTINGS, {"comments_enabled": False, "comments_notice": notice}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 200, response.content
    row = SiteSettings.objects.get(site=site)
    assert (row.comments_enabled, row.comments_notice) == (False, notice)
    assert response["ETag"] == f'"settings-1-v{row.version}"' != tag
    assert (response.json()["comments_enabled"], response.json()["version"]) == (False, row.version)
    article = clients("anonymous").get(f"/api/v1/articles/{published_article.pk}/").json()
    assert article["comments"] == {"state": "closed", "reason": "site_disabled", "message": notice}


def test_superuser_replaces_settings_with_put(clients, site):
    current = clients("superuser").get(SETTINGS)
    body = {**current.json(), "publisher_name": "The Harbour Courier", "comments_close_after_days": 30}
    response = clients("superuser").put(SETTINGS, body, format="json", HTTP_IF_MATCH=current["ETag"])
    assert response.status_code == 200, response.content
    row = SiteSettings.objects.get(site=site)
    assert (row.publisher_name, row.comments_close_after_days) == ("The Harbour Courier", 30)


@pytest.mark.parametrize(
    ("role", "if_match", "status", "expected"),
    [
        ("anonymous", "current", 403, NOT_AUTHENTICATED),
        ("contributor", "current", 403, {"detail": "Changing a site's settings needs the site settings permission."}),
        ("editor", None, 428, None),
        ("editor", "stale", 412, PRECONDITION_FAILED),
        ("editor", "article", 412, PRECONDITION_FAILED),
    ],
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_refused_settings_changes_change_nothing(clients, site, role, if_match, status, expected, method):
    row = SiteSettings.objects.get(site=site)
    headers = {}
    if if_match is not None:
        headers["HTTP_IF_MATCH"] = {
            "current": f'"settings-1-v{row.version}"',
            "stale": f'"settings-1-v{row.version + 1}"',
            "article": f'"article-1-v{row.version}"',
        }[if_match]
    before = settings_row(site)
    response = getattr(clients(role), method)(
        SETTINGS, {"comments_enabled": False, "comments_notice": "Off."}, format="json", **headers
    )
    assert response.status_code == status
    if expected is not None:
        assert response.json() == expected
    else:
        assert "If-Match" in response.json()["detail"]
    assert settings_row(site) == before


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"time_zone": "Mars/Base"}, {"time_zone": ["“Mars/Base” is not a known time zone."]}),
        (
            {"comments_close_after_days": 0},
            {"comments_close_after_days": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"comments_close_after_days": 99999999999999999999},
            {"comments_close_after_days": ["Ensure this value is less than or equal to 36500."]},
        ),
        ({"comments_enabled": "perhaps"}, {"comments_enabled": ["Must be a valid boolean."]}),
        ({"comments_suspended_until": "soon"}, None),
        ({"comments_notice": "a\x00b"}, {"comments_notice": ["Null characters are not allowed."]}),
        ({"publisher_logo_url": "x"}, {"publisher_logo_url": ["Unknown field."]}),
    ],
)
def test_bad_settings_answer_400_and_change_nothing(clients, site, body, expected):
    tag = clients("editor").get(SETTINGS)["ETag"]
    before = settings_row(site)
    response = clients("editor").patch(SETTINGS, body, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 400
    if expected is not None:
        assert response.json() == expected
    assert settings_row(site) == before


def test_read_only_settings_fields_are_ignored(clients, site):
    tag = clients("editor").get(SETTINGS)["ETag"]
    version = SiteSettings.objects.get(site=site).version
    response = clients("editor").patch(
        SETTINGS, {"site": 2, "version": 99, "comments_notice": "Hi"}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 200
    row = SiteSettings.objects.get(site=site)
    assert (row.site_id, row.version, row.comments_notice) == (1, version + 1, "Hi")


@pytest.mark.parametrize("path", ["99999/settings/", "99999999999999999999/settings/", "01/settings/", "abc/"])
def test_unknown_sites_answer_404(clients, site, path):
    assert clients("editor").get(f"{SITES}{path}").status_code == 404


def test_a_far_future_suspension_cannot_break_the_article_api(clients, site, published_article):
    tag = clients("editor").get(SETTINGS)["ETag"]
    changed = clients("editor").patch(
        SETTINGS,
        {"time_zone": "Asia/Tokyo", "comments_suspended_until": "9999-12-31T23:00:00Z"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert changed.status_code in (200, 400)
    assert clients("anonymous").get("/api/v1/articles/").status_code == 200


# --- Tokens and throttling ----------------------------------------------------------------------


def token_rate() -> int:
    """How many token requests one address may make per period (settings: 10/min)."""
    throttle = SimpleRateThrottle.__new__(SimpleRateThrottle)
    count, _seconds = throttle.parse_rate(SimpleRateThrottle.THROTTLE_RATES["token"])
    return count


def test_token_for_good_credentials_works_as_authorization(clients, editor):
    response = APIClient().post(
        TOKEN, {"username": "editor", "password": "correct horse battery staple"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=editor).key}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    created = client.post(AUTHORS, {"name": "Ana Ribeiro", "slug": "ana-ribeiro"}, format="json")
    assert created.status_code == 201
    again = APIClient().post(TOKEN, {"username": "editor", "password": "correct horse battery staple"}, format="json")
    assert again.json() == response.json()  # the same token, not a new one per request


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"username": "editor", "password": "wrong"},
            {"non_field_errors": ["Unable to log in with provided credentials."]},
        ),
        (
            {"username": "nobody", "password": "x"},
            {"non_field_errors": ["Unable to log in with provided credentials."]},
        ),
        ({"username": "editor"}, {"password": ["This field is required."]}),
        ({}, {"username": ["This field is required."], "password": ["This field is required."]}),
        ({"username": "editor\x00", "password": "x"}, {"username": ["Null characters are not allowed."]}),
    ],
)
def test_bad_credentials_answer_400_and_make_no_token(editor, body, expected):
    response = APIClient().post(TOKEN, body, format="json")
    assert (response.status_code, response.json()) == (400, expected)
    assert Token.objects.count() == 0


def test_token_requests_are_throttled_per_client_address(editor):
    limit = token_rate()
    client = APIClient()
    answers = [
        # A new user name each time: the per-name login limit (LOAD-04) is not what is tested here.
        client.post(TOKEN, {"username": f"guess{n}", "password": f"guess {n}"}, format="json").status_code
        for n in range(limit)
    ]
    assert answers == [400] * limit
    refused = client.post(TOKEN, {"username": "editor", "password": "correct horse battery staple"}, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Request was throttled.")
    # Another address has its own allowance.
    other = APIClient(REMOTE_ADDR="203.0.113.9")
    assert other.post(TOKEN, {"username": "editor", "password": "correct horse battery staple"}).status_code == 200


def test_rotating_x_forwarded_for_buys_no_extra_token_requests(editor):
    limit = token_rate()
    client = APIClient(REMOTE_ADDR="198.51.100.7")
    answers = [
        client.post(
            TOKEN,
            {"username": f"guess{n}", "password": "guess"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.{n // 250}.{n % 250}",
            HTTP_X_REAL_IP=f"10.1.0.{n}",
        ).status_code
        for n in range(limit * 2)
    ]
    assert answers == [400] * limit + [429] * limit


def test_anonymous_reads_are_throttled_per_client_address(db, published_article, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/min")
    client = APIClient()
    answers = [client.get("/api/v1/articles/", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert APIClient(REMOTE_ADDR="203.0.113.10").get("/api/v1/articles/").status_code == 200
