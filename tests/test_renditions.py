"""Renditions: which sizes and formats, how they are made and stored, the rendition URL
(fixed widths only), the API listing and the ``{% picture %}`` template tag."""

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, include, path, reverse
from PIL import Image as PILImage
from rest_framework.test import APIClient

from articles import renditions, services
from articles.models import Image
from tests import factories
from tests.test_metadata import exif_with, picture_bytes, upload, xmp_packet

# Until the root URLconf mounts the rendition view, these tests mount it themselves.
urlpatterns = [path("img/", include("articles.media_urls")), path("", include("cms.urls"))]


def use_rendition_urls(settings) -> None:
    """Route ``/img/…`` for the test if the project's URLconf does not (yet)."""
    try:
        reverse("renditions:rendition", kwargs={"pk": 1, "width": 320, "fmt": "webp"})
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


@pytest.fixture(autouse=True)
def _rendition_urls(settings):
    use_rendition_urls(settings)


def make_image(size=(2400, 1600), fmt="JPEG", *, commit=None, **fields) -> Image:
    data = picture_bytes(fmt, size, **fields.pop("picture", {}))
    name = f"photo.{fmt.lower()}"
    if commit is not None:
        with commit(execute=True):
            image, _ = services.image_create(file=upload(data, name), **fields)
    else:
        image, _ = services.image_create(file=upload(data, name), **fields)
    image.refresh_from_db()
    return image


def open_rendition(image: Image, entry: dict) -> PILImage.Image:
    with image.file.storage.open(entry["name"], "rb") as handle:
        picture = PILImage.open(io.BytesIO(handle.read()))
        picture.load()
        return picture


# --- Which renditions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "widths"),
    [
        (6000, [320, 640, 960, 1280, 1920]),
        (1920, [320, 640, 960, 1280, 1920]),
        (1000, [320, 640, 960, 1000]),
        (640, [320, 640]),
        (800, [320, 640, 800]),
        (100, [100]),
        (0, []),
    ],
)
def test_widths_are_the_configured_ones_never_above_the_original(width, widths):
    assert renditions.rendition_widths(width) == widths


def test_widths_follow_the_setting(settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "RENDITION_WIDTHS": (400, 200)}
    assert renditions.rendition_widths(1000) == [200, 400]


@pytest.mark.parametrize(
    ("fmt", "formats"),
    [("JPEG", ["webp", "jpg"]), ("PNG", ["webp", "png"]), ("GIF", ["webp", "png"]), ("WEBP", ["webp"])],
)
def test_formats_are_webp_and_the_originals(db, fmt, formats):
    image = make_image((400, 300), fmt)
    assert [s.format for s in renditions.rendition_specs(image) if s.width == 320] == formats


def test_an_image_without_a_file_has_no_renditions(db):
    image = factories.ImageFactory()
    assert renditions.rendition_specs(image) == [] and renditions.rendition_list(image) == []


# --- Making them ------------------------------------------------------------------------


def test_renditions_are_made_after_the_upload_commits(db, django_capture_on_commit_callbacks):
    image = make_image((2400, 1600), commit=django_capture_on_commit_callbacks)
    made = [(e["width"], e["height"], e["format"]) for e in image.renditions]
    assert made == [(w, round(w * 2 / 3), f) for w in (320, 640, 960, 1280, 1920) for f in ("webp", "jpg")]
    for entry in image.renditions:
        picture = open_rendition(image, entry)
        assert picture.size == (entry["width"], entry["height"])
        assert picture.format == {"webp": "WEBP", "jpg": "JPEG"}[entry["format"]]
        assert entry["name"].startswith(f"renditions/{image.file.name.rsplit('.', 1)[0]}/")
    assert [e["url"] for e in renditions.rendition_list(image)][0].startswith("/media/renditions/")


def test_nothing_is_made_before_the_commit(db):
    image = make_image((800, 600))
    assert image.renditions == []
    assert not image.file.storage.exists(renditions.rendition_folder(image.file.name))


def test_a_small_picture_is_never_upscaled(db, django_capture_on_commit_callbacks):
    image = make_image((100, 80), "PNG", commit=django_capture_on_commit_callbacks)
    assert [(e["width"], e["height"], e["format"]) for e in image.renditions] == [
        (100, 80, "webp"),
        (100, 80, "png"),
    ]


def test_renditions_are_upright_carry_the_credit_and_no_gps(db, django_capture_on_commit_callbacks):
    image = make_image(
        (64, 32),
        picture={
            "exif": exif_with(orientation=6, gps=True, artist="Ana Ribeiro"),
            "xmp": xmp_packet(creator="Ana Ribeiro", credit="Ana Ribeiro/Lusa", rights="© Lusa", gps=True),
        },
        commit=django_capture_on_commit_callbacks,
    )
    assert [(e["width"], e["height"]) for e in image.renditions] == [(32, 64), (32, 64)]
    for entry in image.renditions:
        picture = open_rendition(image, entry)
        exif = picture.getexif()
        assert picture.size == (32, 64)
        assert exif.get_ifd(0x8825) == {} and exif.get(0x0112) in (None, 1)
        xmp = picture.info.get("xmp") or b""
        assert b"GPS" not in xmp
        assert b"Ana Ribeiro/Lusa" in xmp and exif[0x8298].encode("latin-1").decode() == "© Lusa"


def test_a_gif_becomes_a_still_png(db, django_capture_on_commit_callbacks):
    frames = [PILImage.new("RGB", (400, 200), (200 * i, 30, 30)) for i in range(2)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50)
    with django_capture_on_commit_callbacks(execute=True):
        image, _ = services.image_create(file=upload(out.getvalue(), "anim.gif"))
    image.refresh_from_db()
    png = next(e for e in image.renditions if e["format"] == "png" and e["width"] == 320)
    picture = open_rendition(image, png)
    assert (picture.format, picture.size, getattr(picture, "n_frames", 1)) == ("PNG", (320, 160), 1)
    assert picture.convert("RGB").getpixel((5, 5))[0] < 20  # the first frame


def test_transparency_is_kept(db, django_capture_on_commit_callbacks):
    picture = PILImage.new("RGBA", (700, 350), (255, 0, 0, 0))
    picture.paste((0, 0, 255, 255), (0, 0, 350, 350))
    out = io.BytesIO()
    picture.save(out, "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        image, _ = services.image_create(file=upload(out.getvalue(), "alpha.png"))
    image.refresh_from_db()
    for entry in image.renditions:
        made = open_rendition(image, entry)
        assert made.mode == "RGBA" and made.getpixel((made.width - 2, 2))[3] == 0


def test_a_changed_credit_remakes_the_renditions(db, django_capture_on_commit_callbacks, monkeypatch):
    image = make_image((400, 300), creator="Ana Ribeiro", commit=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.image_update(image=image, creator="Rui Gaudêncio")
    image.refresh_from_db()
    assert len(image.renditions) == 4
    for entry in image.renditions:
        assert open_rendition(image, entry).getexif()[0x013B].encode("latin-1").decode() == "Rui Gaudêncio"
    remade = []
    monkeypatch.setattr(renditions, "refresh_renditions", remade.append)
    services.image_update(image=image, caption="Only the caption")
    assert remade == []  # no credit change, nothing to remake
    services.image_update(image=image, copyright_notice="© 2025 Lusa")
    assert remade == [image]


# --- The rendition URL ------------------------------------------------------------------


def photo(width: int, height: int, **fields) -> Image:
    """A stored photo that may be published (alt text and credit given)."""
    fields = {"alt_text": "A harbour", "creator": "Ana Ribeiro", **fields}
    return factories.image_with_file(upload={"width": width, "height": height}, **fields)


@pytest.fixture
def public_image(site):
    image = photo(1000, 500)
    factories.published_article(site=site, images=[image])
    return image


def url(image, width, fmt) -> str:
    return f"/img/{image.pk}/{width}.{fmt}"


def test_a_rendition_url_makes_it_once_and_redirects_to_storage(client, public_image, monkeypatch):
    calls = []
    real = renditions.render_renditions
    monkeypatch.setattr(renditions, "render_renditions", lambda *a: calls.append(a) or real(*a))
    response = client.get(url(public_image, 640, "webp"))
    assert response.status_code == 302
    public_image.refresh_from_db()
    (entry,) = public_image.renditions
    assert response["Location"] == public_image.file.storage.url(entry["name"])
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    assert public_image.file.storage.exists(entry["name"])
    assert open_rendition(public_image, entry).size == (640, 320)
    again = client.get(url(public_image, 640, "webp"))
    assert (again.status_code, again["Location"]) == (302, response["Location"])
    assert len(calls) == 1  # made once, reused after
    assert client.head(url(public_image, 1000, "jpg")).status_code == 302
    assert client.post(url(public_image, 640, "webp")).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/img/{pk}/500.webp",  # not a configured width
        "/img/{pk}/1280.webp",  # above the original (1000): never upscaled
        "/img/{pk}/1920.jpg",
        "/img/{pk}/999.jpg",
        "/img/{pk}/0640.webp",  # not the canonical spelling
        "/img/{pk}/640.gif",  # not a rendition format
        "/img/{pk}/640.jpeg",
        "/img/{pk}/640.png",  # a JPEG original has no PNG renditions
        "/img/{pk}/99999.webp",
        "/img/{pk}/640.webp/",
        "/img/{pk}/-640.webp",
        "/img/{pk}/640x480.webp",
        "/img/0{pk}/640.webp",
        "/img/999999/640.webp",
    ],
)
def test_other_sizes_and_formats_are_not_found(client, public_image, path):
    response = client.get(path.format(pk=public_image.pk))
    assert response.status_code == 404
    public_image.refresh_from_db()
    assert public_image.renditions == []


def test_an_unpublished_image_is_only_for_staff(client, site):
    image = photo(700, 350)
    factories.draft_article(site=site, images=[image])
    assert client.get(url(image, 320, "webp")).status_code == 404
    client.force_login(factories.user_in_group("Editor", username="desk"))
    response = client.get(url(image, 320, "webp"))
    assert response.status_code == 302
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_missing_original_is_not_found(client, public_image, admin_user):
    public_image.file.storage.delete(public_image.file.name)
    assert client.get(url(public_image, 320, "webp")).status_code == 404
    client.force_login(admin_user)
    assert client.get(url(public_image, 320, "webp")).status_code == 404


def test_an_image_without_a_file_is_not_found(client, site):
    image = factories.ImageFactory()
    factories.published_article(site=site, images=[image])
    assert client.get(f"/img/{image.pk}/320.webp").status_code == 404


# --- API ----------------------------------------------------------------------------------


@pytest.fixture
def editor_api(db):
    client = APIClient()
    client.force_authenticate(factories.user_in_group("Editor", username="photo-desk"))
    return client


def test_the_api_lists_renditions_without_extra_queries(editor_api, db, django_capture_on_commit_callbacks,
                                                         django_assert_num_queries):  # fmt: skip
    image = make_image((700, 350), commit=django_capture_on_commit_callbacks)
    editor_api.get(f"/api/v1/images/{image.pk}/")  # warms the site cache and the user's permission cache
    # 1 the image row; its renditions come from its own JSON column, with no query or storage call
    with django_assert_num_queries(1):
        response = editor_api.get(f"/api/v1/images/{image.pk}/")
    body = response.json()
    storage_url = image.file.storage.url(image.renditions[0]["name"])
    assert body["renditions"][0] == {
        "url": f"http://testserver{storage_url}",
        "width": 320,
        "height": 160,
        "format": "webp",
    }
    assert [(r["width"], r["format"]) for r in body["renditions"]] == [
        (320, "webp"),
        (320, "jpg"),
        (640, "webp"),
        (640, "jpg"),
        (700, "webp"),
        (700, "jpg"),
    ]


def test_renditions_not_made_yet_point_at_the_rendition_url(editor_api, db):
    image = make_image((700, 350))
    body = editor_api.get(f"/api/v1/images/{image.pk}/").json()
    assert body["renditions"][0]["url"] == f"http://testserver/img/{image.pk}/320.webp"


def test_article_placements_list_renditions(client, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = photo(700, 350)
        missing = factories.ImageFactory(caption="Not archived")
        article = factories.published_article(site=site, images=[image, missing])
    body = client.get(f"/api/v1/articles/{article.pk}/").json()
    lead, inline = body["images"]
    assert [(r["width"], r["format"]) for r in lead["renditions"]][:2] == [(320, "webp"), (320, "jpg")]
    assert body["lead_image"]["renditions"] == lead["renditions"]
    assert (inline["url"], inline["renditions"], inline["caption"]) == (None, [], "Not archived")
    assert inline["credit"] == "Anatolii Stepanov/AFP via Getty Images"


def test_an_image_without_a_file_shows_no_url_and_no_renditions(editor_api, db):
    image = factories.ImageFactory()
    body = editor_api.get(f"/api/v1/images/{image.pk}/").json()
    assert (body["url"], body["renditions"], body["credit_line"]) == (
        None,
        [],
        "Anatolii Stepanov/AFP via Getty Images",
    )


# --- The template tag ---------------------------------------------------------------------


def render(template: str, **context) -> str:
    return Template("{% load renditions %}" + template).render(Context(context))


def test_picture_renders_srcset_sizes_and_dimensions(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = photo(1600, 800, alt_text="A harbour & boats")
    article = factories.published_article(site=site, images=[image])
    placement = article.placements.select_related("image").get()
    image.refresh_from_db()
    placement.image = image
    html = render('{% picture p sizes="(min-width: 60rem) 40rem, 100vw" %}', p=placement)
    base = image.file.storage.url(renditions.rendition_folder(image.file.name))
    assert html == (
        '<picture><source type="image/webp" '
        f'srcset="{base}/320.webp 320w, {base}/640.webp 640w, {base}/960.webp 960w, '
        f'{base}/1280.webp 1280w, {base}/1600.webp 1600w" sizes="(min-width: 60rem) 40rem, 100vw">'
        f'<img src="{base}/1280.jpg" srcset="{base}/320.jpg 320w, {base}/640.jpg 640w, {base}/960.jpg 960w, '
        f'{base}/1280.jpg 1280w, {base}/1600.jpg 1600w" sizes="(min-width: 60rem) 40rem, 100vw" '
        'width="1280" height="640" alt="A harbour &amp; boats" loading="lazy" decoding="async"></picture>'
    )


def test_picture_options_and_escaping(db):
    image = make_image((500, 250), "WEBP", alt_text='"><script>alert(1)</script>')
    html = render('{% picture i sizes="50vw" loading="eager" fetchpriority="high" css_class="lead" %}', i=image)
    assert html.startswith("<img ") and "<picture>" not in html  # WebP only: no fallback source
    assert 'loading="eager"' in html and 'fetchpriority="high"' in html and 'class="lead"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f"/img/{image.pk}/500.webp 500w" in html  # not made yet: the rendition URL
    assert 'loading="lazy"' in render('{% picture i loading="bogus" %}', i=image)
    assert 'alt="Other"' in render('{% picture i alt="Other" %}', i=image)


def test_picture_renders_nothing_without_a_file(site):
    image = factories.ImageFactory(caption="Not archived")
    article = factories.published_article(site=site, images=[image])
    assert render("{% picture p %}", p=article.placements.get()) == ""
    assert render("{% picture i %}", i=None) == ""
    assert render("{% rendition_url i 640 %}", i=image) == ""


def test_decorative_pictures_have_empty_alt_text(db):
    image = make_image((400, 200), alt_text="", is_decorative=True)
    assert 'alt=""' in render("{% picture i %}", i=image)
    assert 'alt=""' in render('{% picture i alt="A rule" %}', i=image)


def test_rendition_url_picks_the_largest_not_above_the_width(db):
    image = make_image((2000, 1000))
    assert render("{% rendition_url i 1200 %}", i=image) == f"/img/{image.pk}/960.jpg"
    assert render('{% rendition_url i 5000 "webp" %}', i=image) == f"/img/{image.pk}/1920.webp"
    assert render("{% rendition_url i 10 %}", i=image) == f"/img/{image.pk}/320.jpg"


# --- ExifTool reads what we wrote -----------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("exiftool") is None,
    reason="exiftool is not installed (Debian: apt-get install libimage-exiftool-perl); "
    "the stored renditions' metadata is checked with Pillow elsewhere",
)
def test_exiftool_finds_the_credit_and_copyright_but_no_gps(db, django_capture_on_commit_callbacks):
    image = make_image(
        (700, 400),
        picture={
            "exif": exif_with(artist="Ana Ribeiro", gps=True),
            "xmp": xmp_packet(creator="Ana Ribeiro", credit="Ana Ribeiro/Lusa via Getty Images", gps=True),
        },
        copyright_notice="© 2025 Lusa",
        commit=django_capture_on_commit_callbacks,
    )
    for entry in image.renditions + [{"name": image.file.name}]:
        file_path = Path(image.file.storage.path(entry["name"]))
        output = subprocess.run(
            ["exiftool", "-json", "-G", "-a", str(file_path)], capture_output=True, text=True, check=True
        ).stdout
        tags = json.loads(output)[0]
        assert tags["XMP:Credit"] == "Ana Ribeiro/Lusa via Getty Images"
        assert tags["XMP:Rights"] == "© 2025 Lusa" and tags["EXIF:Copyright"] == "© 2025 Lusa"
        assert tags["XMP:Creator"] == "Ana Ribeiro" and tags["EXIF:Artist"] == "Ana Ribeiro"
        assert not [name for name in tags if "GPS" in name], tags
