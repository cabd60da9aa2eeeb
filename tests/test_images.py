"""Safe uploads: pictures are checked by content, refused uploads leave nothing behind,
and what is stored is a clean, upright copy without GPS that keeps the credit.

Each refusal is tried through the service and through ``POST /api/v1/images/`` as an
editor (status, message, and no row and no file afterwards).
"""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from rest_framework.test import APIClient

from articles import images, services
from articles.models import Image
from tests import factories
from tests.test_metadata import exif_with, iim_block, picture_bytes, upload, xmp_packet
from tests.test_renditions import use_rendition_urls

API = "/api/v1/images/"


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG declaring a huge 1-bit picture (RELIABILITY.md recipe)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def noisy_jpeg(width=800, height=800) -> bytes:
    out = io.BytesIO()
    PILImage.effect_noise((width, height), 64).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def noisy_png(width=200, height=200) -> bytes:
    out = io.BytesIO()
    PILImage.effect_noise((width, height), 64).save(out, "PNG")
    return out.getvalue()


def other_format(fmt: str) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (16, 16), (1, 2, 3)).save(out, fmt)
    return out.getvalue()


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def editor_api(db):
    client = APIClient()
    client.force_authenticate(factories.user_in_group("Editor", username="photo-desk"))
    return client


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"

REFUSED = {
    # name: (file name, bytes, code, message fragment)
    "pixel bomb 20000x20000": ("bomb.png", png_bomb(20000, 20000), "too_many_pixels", "400000000 pixels"),
    "sub-threshold bomb 10000x10000": ("bomb.png", png_bomb(10000, 10000), "too_many_pixels", "100000000 pixels"),
    "over our cap 8000x7000": ("big.png", png_bomb(8000, 7000), "too_many_pixels", "8000×7000"),
    "too wide 12001x10": ("wide.png", png_bomb(12001, 10), "too_many_pixels", "12001×10"),
    "svg": ("script.svg", SVG, "not_an_image", images.NOT_AN_IMAGE),
    "svg named png": ("photo.png", SVG, "not_an_image", images.NOT_AN_IMAGE),
    "html named jpg": ("photo.jpg", HTML, "not_an_image", images.NOT_AN_IMAGE),
    "php": ("shell.php.jpg", b"<?php system($_GET['c']); ?>", "not_an_image", images.NOT_AN_IMAGE),
    "pdf": ("doc.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "not_an_image", images.NOT_AN_IMAGE),
    "tiff": ("photo.jpg", other_format("TIFF"), "not_an_image", images.NOT_AN_IMAGE),
    "bmp": ("photo.jpg", other_format("BMP"), "not_an_image", images.NOT_AN_IMAGE),
    "ico": ("photo.jpg", other_format("ICO"), "not_an_image", images.NOT_AN_IMAGE),
    "tga": ("photo.jpg", other_format("TGA"), "not_an_image", images.NOT_AN_IMAGE),
    "eps": ("photo.jpg", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "not_an_image", images.NOT_AN_IMAGE),
    "truncated jpeg": ("half.jpg", noisy_jpeg()[: len(noisy_jpeg()) // 2], "broken", images.BROKEN_IMAGE),
    "png cut before IEND": ("cut.png", noisy_png()[:-12], "broken", images.BROKEN_IMAGE),
    "png cut in IDAT": ("cut.png", noisy_png()[:-400], "broken", images.BROKEN_IMAGE),
    "jpeg header only": ("head.jpg", noisy_jpeg()[:200], "broken", images.BROKEN_IMAGE),
}


@pytest.mark.parametrize("kind", REFUSED)
def test_refused_uploads_through_the_service_store_nothing(db, settings, kind):
    name, data, code, message = REFUSED[kind]
    with pytest.raises(ValidationError) as refusal:
        services.image_create(file=SimpleUploadedFile(name, data, content_type="image/png"), alt_text="x")
    assert refusal.value.code == code
    assert message in refusal.value.messages[0]
    assert not Image.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("kind", REFUSED)
def test_refused_uploads_through_the_api_answer_400_and_store_nothing(editor_api, settings, kind):
    name, data, _code, message = REFUSED[kind]
    response = editor_api.post(API, {"file": SimpleUploadedFile(name, data), "alt_text": "x"}, format="multipart")
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert not Image.objects.exists()
    assert stored_files(settings) == []


def test_an_empty_file_is_refused(editor_api, settings):
    with pytest.raises(ValidationError, match=images.EMPTY_FILE):
        services.image_create(file=SimpleUploadedFile("empty.jpg", b""))
    response = editor_api.post(API, {"file": SimpleUploadedFile("empty.jpg", b"")}, format="multipart")
    assert response.status_code == 400
    assert "empty" in response.json()["file"][0]
    assert not Image.objects.exists() and stored_files(settings) == []


def test_a_file_over_the_byte_limit_is_refused(editor_api, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "MAX_IMAGE_BYTES": 1000}
    data = noisy_png(100, 100)
    message = images.TOO_MANY_BYTES.format(size=len(data), limit=1000)
    with pytest.raises(ValidationError, match=re.escape(message)):
        services.image_create(file=upload(data, "big.png"))
    response = editor_api.post(API, {"file": upload(data, "big.png")}, format="multipart")
    assert (response.status_code, response.json()["detail"]) == (400, message)
    assert not Image.objects.exists() and stored_files(settings) == []


def test_an_animation_over_the_pixel_budget_is_refused(db, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "MAX_IMAGE_PIXELS": 100_000}  # budget: 50,000 over all frames
    frames = [PILImage.new("RGB", (100, 100), (40 * i, 0, 0)) for i in range(6)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=80)
    with pytest.raises(ValidationError, match="6 frames of 100×100") as refusal:
        services.image_create(file=upload(out.getvalue(), "anim.gif"))
    assert refusal.value.code == "too_many_pixels"
    assert stored_files(settings) == []


# --- What is stored ---------------------------------------------------------------------


def stored_bytes(image: Image) -> bytes:
    with image.file.open("rb") as handle:
        return handle.read()


def open_stored(image: Image) -> PILImage.Image:
    picture = PILImage.open(io.BytesIO(stored_bytes(image)))
    picture.load()
    return picture


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("polyglot.png", picture_bytes("PNG") + b"<html><script>alert(1)</script></html>"),
        ("polyglot.jpg", picture_bytes("JPEG", comment=b"<html><body><script>alert(1)</script></body></html>")),
        ("polyglot.gif", picture_bytes("GIF", comment=b"<html><script>alert(1)</script>") + b"<script>x</script>"),
        ("polyglot.webp", picture_bytes("WEBP", xmp=b"<html><script>alert(1)</script></html>")),
    ],
)
def test_polyglots_are_stored_only_as_a_clean_copy(db, name, data):
    assert b"<script" in data
    image, created = services.image_create(file=upload(data, name), creator="<script>alert(1)</script>")
    assert created
    stored = stored_bytes(image).lower()
    assert b"<script" not in stored and b"<html" not in stored
    assert image.sha256 == services.file_sha256(io.BytesIO(data))  # the upload's hash, for deduplication
    assert image.creator == "<script>alert(1)</script>"  # the field is the editor's; pages escape it


@pytest.mark.parametrize(
    ("name", "fmt", "extension", "kept_name"),
    [
        ("photo.jpg", "GIF", "gif", "photo.jpg"),
        ("shell.php.jpg", "JPEG", "jpg", "shell.php.jpg"),
        ("x.html", "PNG", "png", "x.html"),
        ("a.png", "WEBP", "webp", "a.png"),
        ("../../x.jpg", "JPEG", "jpg", "x.jpg"),
        ("..\\..\\x.jpg", "JPEG", "jpg", "x.jpg"),
        ("a\x00.jpg", "JPEG", "jpg", "a.jpg"),
        ("\u202egpj.exe", "JPEG", "jpg", "gpj.exe"),
        ("n" * 300 + ".jpg", "JPEG", "jpg", ("n" * 300 + ".jpg")[-255:]),
    ],
)
def test_the_stored_name_is_made_by_the_server_from_the_decoded_format(db, settings, name, fmt, extension, kept_name):
    image, _ = services.image_create(file=upload(picture_bytes(fmt), name))
    assert image.file.name.startswith("images/") and image.file.name.endswith(f".{extension}")
    stem = Path(image.file.name).stem
    assert len(stem) == 32 and stem.isalnum()
    assert Path(image.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert image.original_filename == kept_name
    assert open_stored(image).format == fmt


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_gps_is_stripped_from_the_stored_file_and_the_credit_kept(db, fmt):
    data = picture_bytes(
        fmt,
        exif=exif_with(artist="Ana Ribeiro", copyright="© 2025 Lusa", gps=True),
        xmp=xmp_packet(creator="Ana Ribeiro", credit="Ana Ribeiro/Lusa", gps=True, city="Porto"),
    )
    assert PILImage.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the upload has GPS
    image, _ = services.image_create(file=upload(data, f"gps.{fmt.lower()}"))
    stored = open_stored(image)
    exif = stored.getexif()
    assert exif.get_ifd(0x8825) == {} and 0x8825 not in exif
    xmp = stored.info.get("xmp") or b""
    xmp = xmp.encode() if isinstance(xmp, str) else xmp
    assert b"GPS" not in xmp and b"Porto" not in xmp
    assert b"GPS" not in stored_bytes(image)
    # the credit travels with the file: EXIF Artist/Copyright (UTF-8) and XMP
    assert exif[0x013B].encode("latin-1").decode() == "Ana Ribeiro"
    assert exif[0x8298].encode("latin-1").decode() == "© 2025 Lusa"
    assert b"<photoshop:Credit>Ana Ribeiro/Lusa</photoshop:Credit>" in xmp
    assert "Ana Ribeiro" in xmp.decode() and "© 2025 Lusa" in xmp.decode()


def test_iim_location_and_other_metadata_are_not_copied(db):
    data = picture_bytes(
        iim=iim_block({(2, 80): "Ana Ribeiro", (2, 90): "Porto", (2, 101): "Portugal"}),
        comment=b"camera serial 123456",
    )
    image, _ = services.image_create(file=upload(data))
    stored = stored_bytes(image)
    assert b"Photoshop 3.0" not in stored and b"Porto" not in stored and b"serial" not in stored
    assert image.creator == "Ana Ribeiro"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_orientation_is_applied_to_the_stored_file(db, fmt):
    picture = PILImage.new("RGB", (64, 32), (255, 0, 0))
    picture.paste((0, 0, 255), (0, 0, 8, 8))  # a blue mark in the top-left corner
    out = io.BytesIO()
    picture.save(out, fmt, exif=exif_with(orientation=6).tobytes())
    image, _ = services.image_create(file=upload(out.getvalue(), f"turned.{fmt.lower()}"))
    assert (image.width, image.height) == (32, 64)
    stored = open_stored(image)
    assert stored.size == (32, 64)
    assert stored.getexif().get(0x0112) in (None, 1)
    red, green, blue = stored.convert("RGB").getpixel((28, 3))[:3]  # orientation 6: top-left goes top-right
    assert blue > 200 and red < 60


def test_a_jpeg_is_re_encoded_with_its_own_quality(db):
    data = noisy_jpeg(400, 300)
    image, _ = services.image_create(file=upload(data))
    original = PILImage.open(io.BytesIO(data))
    stored = open_stored(image)
    assert stored.quantization == original.quantization
    assert abs(len(stored_bytes(image)) - len(data)) < len(data) * 0.1


def test_a_lossless_webp_stays_lossless(db):
    out = io.BytesIO()
    PILImage.effect_noise((64, 64), 40).convert("RGB").save(out, "WEBP", lossless=True)
    image, _ = services.image_create(file=upload(out.getvalue(), "lossless.webp"))
    assert b"VP8L" in stored_bytes(image)[:64]


def test_an_animated_gif_keeps_its_frames_and_loses_its_comments(db):
    frames = [PILImage.new("RGB", (20, 20), (80 * i, 40, 200 - 60 * i)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0, comment=b"<html><script>x"
    )
    image, _ = services.image_create(file=upload(out.getvalue(), "anim.gif"))
    stored = PILImage.open(io.BytesIO(stored_bytes(image)))
    assert stored.n_frames == 3
    assert b"<script" not in stored_bytes(image)


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_animated_webp_and_png_keep_their_frames_and_get_the_credit(db, fmt):
    frames = [PILImage.new("RGBA", (40, 20), (80 * i, 40, 200 - 60 * i, 255)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    image, _ = services.image_create(file=upload(out.getvalue(), f"anim.{fmt.lower()}"), creator="Ana Ribeiro")
    stored = PILImage.open(io.BytesIO(stored_bytes(image)))
    assert (stored.format, stored.n_frames) == (fmt, 3)
    assert b"<rdf:li>Ana Ribeiro</rdf:li>" in stored_bytes(image)


def test_a_multi_picture_jpeg_is_stored_as_its_first_picture(db):
    pictures = [PILImage.new("RGB", (40, 30), (200, 0, 0)), PILImage.new("RGB", (40, 30), (0, 0, 200))]
    out = io.BytesIO()
    pictures[0].save(out, "MPO", save_all=True, append_images=pictures[1:])
    image, _ = services.image_create(file=upload(out.getvalue(), "stereo.jpg"))
    stored = open_stored(image)
    assert (stored.format, image.file.name[-4:], getattr(stored, "n_frames", 1)) == ("JPEG", ".jpg", 1)
    assert stored.getpixel((5, 5))[0] > 150


def test_a_colour_profile_is_converted_to_srgb_and_dropped(db):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()  # any non-sRGB profile
    out = io.BytesIO()
    PILImage.new("RGB", (16, 16), (10, 120, 200)).save(out, "JPEG", icc_profile=profile)
    image, _ = services.image_create(file=upload(out.getvalue()))
    assert "icc_profile" not in open_stored(image).info


def test_the_same_upload_twice_gives_the_same_image(db, settings):
    data = picture_bytes(exif=exif_with(artist="Ana Ribeiro", gps=True))
    first, created = services.image_create(file=upload(data, "a.jpg"))
    second, created_again = services.image_create(file=upload(data, "b.jpg"))
    assert (created, created_again, second.pk) == (True, False, first.pk)
    assert len(stored_files(settings)) == 1


def test_api_upload_reads_metadata_and_lists_renditions(editor_api, settings):
    use_rendition_urls(settings)
    data = picture_bytes(
        size=(800, 600),
        xmp=xmp_packet(creator="Ana Ribeiro", credit="Ana Ribeiro/Lusa via Getty Images", rights="© Lusa"),
        exif=exif_with(gps=True),
    )
    response = editor_api.post(
        API, {"file": upload(data, "porto.jpg"), "caption": "Typed caption."}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("width", "height", "creator", "agency", "distributor", "copyright_notice")} == {
        "width": 800,
        "height": 600,
        "creator": "Ana Ribeiro",
        "agency": "Lusa",
        "distributor": "Getty Images",
        "copyright_notice": "© Lusa",
    }
    assert (body["caption"], body["credit_line"]) == ("Typed caption.", "Ana Ribeiro/Lusa via Getty Images")
    assert [(r["width"], r["height"], r["format"]) for r in body["renditions"]] == [
        (320, 240, "webp"),
        (320, 240, "jpg"),
        (640, 480, "webp"),
        (640, 480, "jpg"),
        (800, 600, "webp"),
        (800, 600, "jpg"),
    ]
    again = editor_api.post(API, {"file": upload(data, "again.jpg")}, format="multipart")
    assert (again.status_code, again.json()["id"]) == (200, body["id"])


# IMG-01 (bomb timing and memory) and IMG-09 (the one decode path) are in tests/reliability/test_img.py.


# --- Replacing and deleting -------------------------------------------------------------


def test_deleting_an_image_in_use_is_refused(site, settings):
    image = factories.image_with_file()
    factories.draft_article(site=site, images=[image])
    with pytest.raises(ValidationError) as refusal:
        services.image_delete(image=image)
    assert refusal.value.code == "protected"
    assert "used by 1 article" in refusal.value.messages[0]
    assert Image.objects.filter(pk=image.pk).exists()
    assert Path(image.file.path).exists()


def test_deleting_an_unused_image_removes_its_files_after_commit(db, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image, _ = services.image_create(file=upload(picture_bytes(size=(700, 400))))
    image.refresh_from_db()
    assert len(stored_files(settings)) == 1 + 6  # the original and 320, 640, 700 in two formats
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.image_delete(image=image)
    assert not Image.objects.filter(sha256=image.sha256).exists()
    assert len(stored_files(settings)) == 7  # nothing deleted before the commit
    for callback in callbacks:
        callback()
    assert stored_files(settings) == []


def test_deleting_an_image_without_a_file(db):
    image = factories.ImageFactory()
    services.image_delete(image=image)
    assert not Image.objects.exists()


def test_replacing_a_file_cleans_the_new_one_and_deletes_the_old(db, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image, _ = services.image_create(file=upload(picture_bytes(size=(400, 300))), creator="Typed")
    old_name = image.file.name
    data = picture_bytes(size=(300, 200), exif=exif_with(artist="File Artist", gps=True), color=(1, 2, 3))
    with django_capture_on_commit_callbacks(execute=True):
        services.image_replace_file(image=image, file=upload(data, "new.jpg"))
    image.refresh_from_db()
    assert image.file.name != old_name and image.creator == "Typed"
    assert (image.width, image.height, image.original_filename) == (300, 200, "new.jpg")
    names = [str(p.relative_to(settings.MEDIA_ROOT)) for p in stored_files(settings)]
    assert old_name not in names and image.file.name in names
    assert all(old_name.rsplit(".", 1)[0] not in n for n in names)  # old renditions gone
    assert open_stored(image).getexif().get_ifd(0x8825) == {}


def test_clearing_the_file_deletes_it_and_its_renditions_after_commit(db, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image, _ = services.image_create(file=upload(picture_bytes(size=(400, 300))), creator="Ana Ribeiro")
    image.refresh_from_db()
    assert len(stored_files(settings)) == 1 + 4
    image.file = None  # what the admin's "clear" checkbox does
    with django_capture_on_commit_callbacks(execute=True):
        services.image_update(image=image)
    image.refresh_from_db()
    assert (image.file.name, image.renditions, image.creator) == ("", [], "Ana Ribeiro")
    assert stored_files(settings) == []


def test_replacing_with_bytes_another_image_has_is_refused(db):
    first, _ = services.image_create(file=upload(picture_bytes(color=(1, 1, 1))))
    second, _ = services.image_create(file=upload(picture_bytes(color=(2, 2, 2))))
    with pytest.raises(ValidationError, match=f"image {first.pk}"):
        services.image_replace_file(image=second, file=upload(picture_bytes(color=(1, 1, 1))))


def test_editors_delete_unused_images_over_the_api_but_not_used_ones(editor_api, site, contributor):
    unused, _ = services.image_create(file=factories.image_upload(name="unused.jpg", color=(1, 2, 3)))
    used = factories.ImageFactory()
    factories.draft_article(site=site, images=[used])
    refused = editor_api.delete(f"/api/v1/images/{used.pk}/")
    assert refused.status_code == 400
    assert Image.objects.filter(pk=used.pk).exists()
    assert editor_api.delete(f"/api/v1/images/{unused.pk}/").status_code == 204
    assert not Image.objects.filter(pk=unused.pk).exists()
    other = APIClient()
    other.force_authenticate(contributor)
    assert other.delete(f"/api/v1/images/{used.pk}/").status_code == 403
    assert APIClient().delete(f"/api/v1/images/{used.pk}/").status_code in (401, 403)
