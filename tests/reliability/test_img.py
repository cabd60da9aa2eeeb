"""IMG-01..IMG-12 of RELIABILITY.md: uploads through ``POST /api/v1/images/`` (an editor's
token) and the admin's image form (a superuser's session), on SQLite and PostgreSQL.

Every refusal asserts the status, that the database is unchanged (``dbstate``) and that no
file was written to MEDIA_ROOT nor left in the upload temporary folder (each test gets its
own ``FILE_UPLOAD_TEMP_DIR``, and uploads go to temporary files from the first KiB, so the
temporary-file path is the one exercised).

Memory (IMG-01, IMG-10) is measured in a fresh Python process from the kernel's peak
resident set (``VmHWM`` in ``/proc/self/status``, reset through ``/proc/self/clear_refs``):
Pillow decodes into its own C buffers, which ``tracemalloc`` (Python's allocator only)
would never see.
"""

import io
import json
import mimetypes
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import connection
from django.http.multipartparser import MultiPartParser
from django.test.client import ClientHandler
from PIL import Image as PILImage
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles import images, renditions, uploads
from articles.models import Image
from tests import factories
from tests.reliability.dbstate import db_unchanged
from tests.test_images import noisy_jpeg, noisy_png, other_format, png_bomb
from tests.test_metadata import exif_with, picture_bytes, xmp_packet

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1/images/"
ADMIN_ADD = "/admin/articles/image/add/"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


# --- Fixtures and helpers ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _upload_temp_dir(settings, tmp_path):
    """Uploads spill to a private temporary folder from the first KiB."""
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    return folder


@pytest.fixture
def editor_user(db):
    return factories.user_in_group("Editor", username="photo-desk")


@pytest.fixture
def editor_api(editor_user):
    client = APIClient()
    client.force_authenticate(editor_user)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def temp_files(settings) -> list[Path]:
    return sorted(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir())


def file_of(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def api_upload(client, name, data, content_type="image/png", **fields):
    return client.post(API, {"file": file_of(name, data, content_type), "alt_text": "x", **fields}, format="multipart")


def admin_upload(client, name, data, content_type="image/png", **fields):
    return client.post(ADMIN_ADD, {"file": file_of(name, data, content_type), "alt_text": "x", **fields})


def admin_refused(response, message: str = "") -> bool:
    """The admin refuses a bad file by showing the form again with the error (200), or a 4xx."""
    html = response.content.decode()
    if 400 <= response.status_code < 500:
        return True
    return response.status_code == 200 and "errornote" in html and message in html


def assert_refused_everywhere(editor_api, admin_client, settings, name, data, message, content_type="image/png"):
    """400 over the API and a form error in the admin; nothing in the DB, MEDIA or temp."""
    with db_unchanged():
        response = api_upload(editor_api, name, data, content_type)
        assert response.status_code == 400, response.content
        assert message in json.dumps(response.json(), ensure_ascii=False)
        page = admin_upload(admin_client, name, data, content_type)
        assert admin_refused(page, message), page.content.decode()[:500]
    assert media_files(settings) == []
    assert temp_files(settings) == []


def stored_bytes(image: Image) -> bytes:
    with image.file.open("rb") as handle:
        return handle.read()


def subprocess_database_url() -> str:
    """The test database as a DATABASE_URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(settings, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL", "CACHE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DJANGO_DEBUG="false",
        DATABASE_URL=subprocess_database_url(),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


# A child process that sends uploads through Django (test client, real middleware, real
# views, the test database) and reports statuses, times and its peak-RSS growth.
PROBE = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import django
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    def vm(field):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        return 0

    settings.ALLOWED_HOSTS = ["testserver"]
    cases = json.loads(sys.argv[1])
    client = Client()
    client.force_login(User.objects.get(username=cases["user"]))
    def send(path, name, data):
        return client.post(path, {"file": SimpleUploadedFile(name, data), "alt_text": "x"}).status_code
    # Warm up every code path once with a refused (truncated) picture.
    warm = Path(cases["warm"]).read_bytes()
    send("/api/v1/images/", "warm.png", warm), send("/admin/articles/image/add/", "warm.png", warm)
    results = []
    for path, name, file in cases["uploads"]:
        data = Path(file).read_bytes()
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        rss = vm("VmRSS")
        started = time.perf_counter()
        status = send(path, name, data)
        seconds = time.perf_counter() - started
        results.append({"path": path, "name": name, "status": status, "seconds": seconds,
                        "rss_growth": vm("VmHWM") - rss})
    print(json.dumps(results))
    """
)


def run_probe(settings, tmp_path, user: str, uploads_: list[tuple[str, str, bytes]]) -> list[dict]:
    warm = tmp_path / "warm.png"
    warm.write_bytes(noisy_png()[:-400])
    files = []
    for index, (path, name, data) in enumerate(uploads_):
        file = tmp_path / f"upload-{index}"
        file.write_bytes(data)
        files.append((path, name, str(file)))
    cases = {"user": user, "warm": str(warm), "uploads": files}
    done = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", PROBE, json.dumps(cases)],
        env=child_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_superuser():
    from django.contrib.auth.models import User

    return User.objects.create_superuser("probe-admin", "probe@example.org", "x")


# --- IMG-01 / IMG-02: pixel bombs ----------------------------------------------------------

BOMBS = {
    "20000x20000 1-bit": (png_bomb(20000, 20000), "400000000 pixels"),
    "10000x10000 1-bit": (png_bomb(10000, 10000), "100000000 pixels"),
}


def rgb_png(width: int, height: int) -> bytes:
    """A real RGB PNG of ``width``×``height`` (all black: compresses to little)."""
    out = io.BytesIO()
    PILImage.new("RGB", (width, height)).save(out, "PNG", optimize=False, compress_level=9)
    return out.getvalue()


@pytest.mark.parametrize("kind", BOMBS)
def test_img_01_pixel_bomb_refused(editor_api, admin_client, settings, kind):
    data, message = BOMBS[kind]
    started = time.perf_counter()
    assert_refused_everywhere(editor_api, admin_client, settings, "bomb.png", data, message)
    assert time.perf_counter() - started < 2  # two uploads (API and admin): each < 1 s


@pytest.mark.django_db(transaction=True)
def test_img_01_pixel_bomb_worker_memory(settings, tmp_path):
    """A fresh worker process: the bomb costs < 1 s and < 50 MB of resident memory. A real
    3000×2000 photo sent last is the control: the same measure sees its decode (> 15 MB)."""
    make_superuser()
    bomb = BOMBS["20000x20000 1-bit"][0]
    results = run_probe(
        settings,
        tmp_path,
        "probe-admin",
        [
            ("/api/v1/images/", "bomb.png", bomb),
            ("/admin/articles/image/add/", "bomb.png", bomb),
            ("/api/v1/images/", "control.jpg", noisy_jpeg(3000, 2000)),
        ],
    )
    *bombs, control = results
    for result in results:
        print(f"IMG-01 {result['name']} {result['path']}: {result['status']} in {result['seconds'] * 1000:.1f} ms, "
              f"peak RSS growth {result['rss_growth'] / 2**20:.1f} MiB")  # fmt: skip
    for result in bombs:
        assert result["status"] in (200, 400), result  # the admin shows the form again
        assert result["seconds"] < 1, result
        assert result["rss_growth"] < 50 * 1024 * 1024, result
    assert control["status"] == 201 and control["rss_growth"] > 15 * 1024 * 1024, control
    (image,) = Image.objects.all()  # the control only
    stem = Path(image.file.name).stem
    assert all(stem in str(path) for path in media_files(settings))


def test_img_02_sub_threshold_bomb_refused(editor_api, admin_client, settings):
    assert_refused_everywhere(
        editor_api, admin_client, settings, "bomb.png", BOMBS["10000x10000 1-bit"][0], "100000000 pixels"
    )
    # 9000×9000 RGB (81 MP): above our 50 MP cap, under Pillow's own bomb threshold.
    big = rgb_png(9000, 9000)
    assert len(big) < 400_000
    assert_refused_everywhere(editor_api, admin_client, settings, "big.png", big, "9000×9000")
    assert settings.NEWSROOM["MAX_IMAGE_PIXELS"] <= 50_000_000 and settings.NEWSROOM["MAX_IMAGE_SIDE"] <= 12_000


def test_img_02_decompression_bomb_warning_is_an_error():
    import warnings

    with images.bombs_refused():
        assert any(f[0] == "error" and f[2] is PILImage.DecompressionBombWarning for f in warnings.filters), (
            "DecompressionBombWarning must be raised as an error while decoding uploads"
        )


# --- IMG-03: byte cap before the body is read ----------------------------------------------


class LazyBody:
    """A ``wsgi.input`` that produces a multipart body of ``size`` bytes on demand and
    counts what the application read."""

    def __init__(self, size: int, boundary: str = "B0undary", csrf: str = ""):
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="alt_text"\r\n\r\nx\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode() + noisy_jpeg(64, 64)[:-2]
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.head, self.size, self.position = head, size, 0
        self.content_type = f"multipart/form-data; boundary={boundary}"

    def _byte_range(self, start: int, end: int) -> bytes:
        out = bytearray()
        filler_end = self.size - len(self.tail)
        for index in range(start, end):
            if index < len(self.head):
                out.append(self.head[index])
            elif index < filler_end:
                out.append(0x41)
            else:
                out.append(self.tail[index - filler_end])
        return bytes(out)

    def read(self, size: int = -1) -> bytes:
        end = self.size if size is None or size < 0 else min(self.size, self.position + size)
        if end - self.position > 4 * 1024 * 1024:
            end = self.position + 4 * 1024 * 1024
        start, self.position = self.position, end
        if start >= len(self.head) and end <= self.size - len(self.tail):
            return b"A" * (end - start)  # fast path for the filler
        return self._byte_range(start, end)

    def readline(self, size: int = -1) -> bytes:
        data = self.read(size if size and size > 0 else 64 * 1024)
        cut = data.find(b"\n")
        if cut != -1 and cut + 1 < len(data):
            self.position -= len(data) - cut - 1
            data = data[: cut + 1]
        return data


def wsgi_post(path: str, body: LazyBody, content_length: int | None, **headers) -> tuple[int, str]:
    """POST ``body`` through Django's WSGI handling (middleware, CSRF checks included)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": body.content_type,
        **headers,
    }
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    response = ClientHandler(enforce_csrf_checks=True)(environ)
    return response.status_code, response.content.decode(errors="replace")


THIRTY_MB = 30 * 1024 * 1024


@pytest.mark.parametrize("where", ["api", "admin"])
@pytest.mark.parametrize(
    "declared",
    [
        pytest.param(THIRTY_MB, id="honest-length"),
        pytest.param(512 * 1024, id="lying-short-length"),
        pytest.param(None, id="no-length"),
    ],
)
def test_img_03_byte_cap(editor_user, admin_user, client, settings, where, declared):
    csrf = "k" * 32  # the admin's CSRF cookie and form field (an unmasked secret is accepted)
    if where == "api":
        path, headers = API, {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=editor_user).key}"}
    else:
        client.force_login(admin_user)
        cookies = {key: morsel.value for key, morsel in client.cookies.items()} | {"csrftoken": csrf}
        path, headers = ADMIN_ADD, {"HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    body = LazyBody(THIRTY_MB, csrf=csrf)
    started = time.perf_counter()
    with db_unchanged():
        status, text = wsgi_post(path, body, declared, **headers)
    seconds = time.perf_counter() - started
    if declared == THIRTY_MB:
        assert status == 413, text[:300]
        assert body.position == 0  # refused on the header alone: nothing of the body was read
        assert "the limit is 22020096 bytes" in text
    else:
        # Django never reads past Content-Length (absent: 0): a cut-short body is refused
        # (400), an empty one has no file (API 400) and no CSRF token (admin 403).
        assert 400 <= status < 500, (status, text[:300])
        assert body.position <= (declared or 0)
    assert seconds < 1
    assert media_files(settings) == [] and temp_files(settings) == []


def test_img_03_counting_handler_stops_a_stream_past_the_limit(settings):
    """The second line: with no trustworthy length, the handler stops the parse once the
    file bytes pass the limit, long before the end of the body."""
    settings.NEWSROOM = {**settings.NEWSROOM, "MAX_UPLOAD_BYTES": 1024 * 1024}
    body = LazyBody(THIRTY_MB)
    meta = {"CONTENT_TYPE": body.content_type, "CONTENT_LENGTH": str(THIRTY_MB)}
    request = SimpleNamespace(upload_handlers=[])
    handlers = request.upload_handlers
    handlers += [uploads.CountingUploadHandler(request), TemporaryFileUploadHandler(request)]
    with pytest.raises(RequestDataTooBig):
        MultiPartParser(meta, body, handlers).parse()
    assert body.position < 2 * 1024 * 1024
    assert temp_files(settings) == []


def test_img_03_cap_is_documented_and_above_the_picture_limit(settings):
    assert settings.NEWSROOM["MAX_IMAGE_BYTES"] <= 20 * 1024 * 1024
    assert settings.NEWSROOM["MAX_IMAGE_BYTES"] < settings.NEWSROOM["MAX_UPLOAD_BYTES"] <= 22 * 1024 * 1024
    assert "articles.uploads.UploadLimitMiddleware" in settings.MIDDLEWARE
    middleware = settings.MIDDLEWARE
    assert middleware.index("articles.uploads.UploadLimitMiddleware") < middleware.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    )  # before anything reads request.POST


# --- IMG-04 / IMG-05 / IMG-06: SVG, polyglots, spoofed types --------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("script.svg", "image/svg+xml"), ("photo.png", "image/png"), ("photo.svg", "image/png")],
)
def test_img_04_svg_refused(editor_api, admin_client, settings, name, content_type):
    assert_refused_everywhere(editor_api, admin_client, settings, name, SVG, images.NOT_AN_IMAGE, content_type)


def test_img_04_nothing_stored_is_served_as_svg(editor_api, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for index, fmt in enumerate(("JPEG", "PNG", "WEBP", "GIF")):
            data = picture_bytes(fmt, (700, 400), color=(index, 2, 3))
            assert api_upload(editor_api, f"p.svg{index}", data, "image/svg+xml").status_code == 201
    files = media_files(settings)
    assert len(files) > 4  # originals and renditions
    assert {mimetypes.guess_type(p.name)[0] for p in files} <= IMAGE_TYPES


POLYGLOTS = {
    "png-html-trailer": (
        "polyglot.png",
        lambda color: picture_bytes("PNG", (400, 300), color=color) + b"<html><script>alert(1)</script></html>",
    ),
    "jpeg-com-html": (
        "polyglot.jpg",
        lambda color: picture_bytes("JPEG", (400, 300), color=color, comment=b"<html><body><script>alert(1)</script>"),
    ),
}


@pytest.mark.parametrize("kind", POLYGLOTS)
def test_img_05_polyglot_re_encoded(editor_api, admin_client, settings, django_capture_on_commit_callbacks, kind):
    name, make = POLYGLOTS[kind]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_upload(editor_api, name, make((1, 2, 3)), "image/png")
        assert response.status_code == 201, response.content
        page = admin_upload(admin_client, name, make((4, 5, 6)))
        assert page.status_code == 302, page.content.decode()[:1000]
    assert Image.objects.count() == 2
    files = media_files(settings)
    assert len(files) == 2 * 5  # two originals, each with 320 and 400 in WebP and its own format
    for path in files:
        content = path.read_bytes().lower()
        assert b"<script" not in content and b"<html" not in content, path
        assert mimetypes.guess_type(path.name)[0] in IMAGE_TYPES
    image = Image.objects.first()
    served = admin_client.get(f"/img/{image.pk}/320.webp")
    assert served.status_code == 302 and served["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content_type", "fmt", "extension"),
    [
        ("photo.jpg", "image/jpeg", "GIF", "gif"),
        ("shell.php.jpg", "image/jpeg", "JPEG", "jpg"),
        ("x.html", "text/html", "PNG", "png"),
        ("x.svg", "image/svg+xml", "WEBP", "webp"),
    ],
)
def test_img_06_type_spoofing(editor_api, settings, name, content_type, fmt, extension):
    response = api_upload(editor_api, name, picture_bytes(fmt), content_type)
    assert response.status_code == 201, response.content
    image = Image.objects.get()
    stem, _, suffix = Path(image.file.name).name.partition(".")
    assert re.fullmatch(r"[0-9a-f]{32}", stem) and suffix == extension
    assert image.original_filename == name  # kept as metadata only
    assert PILImage.open(io.BytesIO(stored_bytes(image))).format == fmt
    assert not [p for p in media_files(settings) if p.suffix in {".html", ".svg", ".php", ".htm", ".js"}]


# --- IMG-07: truncated files -----------------------------------------------------------------

TRUNCATED = {
    "half-jpeg": ("half.jpg", noisy_jpeg()[: len(noisy_jpeg()) // 2]),
    "png-before-iend": ("cut.png", noisy_png()[:-12]),
}


@pytest.mark.parametrize("kind", TRUNCATED)
def test_img_07_truncated_refused(editor_api, admin_client, settings, kind):
    name, data = TRUNCATED[kind]
    assert_refused_everywhere(editor_api, admin_client, settings, name, data, images.BROKEN_IMAGE)


def test_img_07_rendition_urls_of_a_broken_original_are_404(client, site, settings):
    image = factories.image_with_file(upload={"width": 1000, "height": 500}, alt_text="A harbour", creator="Ana")
    factories.published_article(site=site, images=[image])
    Path(image.file.path).write_bytes(noisy_jpeg()[:3000])  # the stored original went bad
    statuses = {
        client.get(f"/img/{image.pk}/{spec.width}.{spec.format}").status_code
        for spec in renditions.rendition_specs(image)
    }
    assert statuses == {404}


# --- IMG-08: GPS stripped, orientation applied, credit kept ----------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "PNG"])
def test_img_08_gps_stripped(editor_api, settings, django_capture_on_commit_callbacks, fmt):
    data = picture_bytes(
        fmt,
        (700, 400),
        exif=exif_with(artist="Ana Ribeiro", copyright="© Lusa", gps=True),
        xmp=xmp_packet(creator="Ana Ribeiro", credit="Ana Ribeiro/Lusa", rights="© Lusa", gps=True),
    )
    assert PILImage.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_upload(editor_api, f"gps.{fmt.lower()}", data, "image/jpeg")
    assert response.status_code == 201, response.content
    image = Image.objects.get()
    assert (image.creator, image.copyright_notice) == ("Ana Ribeiro", "© Lusa")  # DB fields keep the credit
    files = media_files(settings)
    image.refresh_from_db()
    # the original, and 320/640/700 in WebP and in the original's format (one set for WebP)
    assert len(files) == 1 + len(image.renditions) == 1 + (3 if fmt == "WEBP" else 6)
    for path in files:
        picture = PILImage.open(path)
        assert picture.getexif().get_ifd(0x8825) == {} and 0x8825 not in picture.getexif(), path
        xmp = picture.info.get("xmp") or b""
        assert b"GPS" not in (xmp.encode() if isinstance(xmp, str) else xmp), path
        assert b"GPSLatitude" not in path.read_bytes()


def test_img_08_orientation_applied(editor_api, settings, django_capture_on_commit_callbacks):
    out = io.BytesIO()
    PILImage.new("RGB", (64, 32), (255, 0, 0)).save(out, "JPEG", exif=exif_with(orientation=6).tobytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = api_upload(editor_api, "turned.jpg", out.getvalue(), "image/jpeg")
    assert (response.status_code, response.json()["width"], response.json()["height"]) == (201, 32, 64)
    for path in media_files(settings):
        picture = PILImage.open(path)
        assert picture.size == (32, 64) and picture.getexif().get(0x0112) in (None, 1), path


# --- IMG-09: decoder allowlist ---------------------------------------------------------------


def _fits() -> bytes:
    cards = ["SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    2",
             "NAXIS1  =                   16", "NAXIS2  =                   16", "END"]  # fmt: skip
    return "".join(card.ljust(80) for card in cards).ljust(2880).encode() + bytes(2880)


def _pillow(fmt: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    PILImage.new(mode, (16, 16), 128).save(out, fmt)
    return out.getvalue()


def _psd() -> bytes:
    header = b"8BPS" + (1).to_bytes(2, "big") + bytes(6) + (3).to_bytes(2, "big")
    header += (16).to_bytes(4, "big") * 2 + (8).to_bytes(2, "big") + (3).to_bytes(2, "big")
    return header + bytes(4) * 3 + (0).to_bytes(2, "big") + bytes(16 * 16 * 3)


DECODERS = {
    "FITS": _fits(),
    "EPS": _pillow("EPS"),
    "PSD": _psd(),
    "TIFF": other_format("TIFF"),
    "FPX": bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504),
    "McIdas": b"\x00\x00\x00\x00\x00\x00\x00\x04" + bytes(248) + bytes(1024),
    "PDF": _pillow("PDF"),
    "ICO": other_format("ICO"),
    "TGA": other_format("TGA"),
}


@pytest.mark.parametrize("fmt", DECODERS)
def test_img_09_decoder_allowlist(editor_api, admin_client, settings, fmt):
    assert_refused_everywhere(editor_api, admin_client, settings, "photo.jpg", DECODERS[fmt], images.NOT_AN_IMAGE)


APP_DIRS = ("articles", "comments", "cms", "media")


def _app_sources():
    for folder in APP_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path.read_text()


def test_img_09_one_decode_path():
    opens = [
        (name, line.strip())
        for name, text in _app_sources()
        for line in text.splitlines()
        if re.search(r"\b(PILImage|Image)\.open\(", line)
    ]
    assert opens == [("articles/images.py", "return PILImage.open(file, formats=ALLOWED_FORMATS)")]
    assert images.ALLOWED_FORMATS == ("JPEG", "PNG", "WEBP", "GIF")
    assert not [name for name, text in _app_sources() if "ImageMath" in text]
    # ImageFont only draws the demo content's own captions (seed_demo), never user input.
    assert [name for name, text in _app_sources() if "ImageFont" in text] == ["articles/demo.py"]


# --- IMG-10: processing budget ---------------------------------------------------------------


def _bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_images", ROOT / "bench" / "images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_img_10_processing_budget(tmp_path):
    """A 24 MP JPEG through the upload pipeline, then its renditions, each step in a fresh
    process (bench/images.py). Asserts the worker's peak RSS stays under 400 MB. Times are
    printed, not asserted: on a 2-core machine shared with other jobs the largest rendition
    took 0.24 s idle and 1.53 s under load, so no bound is both meaningful and reliable;
    ``.venv/bin/python bench/images.py`` records them against the 3 s / 0.5 s budget."""
    bench = _bench()
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(bench.make_photo(6000, 4000))
    upload = bench.measure("upload", str(photo), str(tmp_path))
    one = bench.measure("one rendition", str(photo), str(tmp_path))
    every = bench.measure("renditions", str(photo), str(tmp_path))
    print(f"IMG-10 upload {upload['seconds']:.2f} s, largest rendition {one['seconds']:.2f} s, "
          f"all {every['files']} renditions {every['seconds']:.2f} s; peak growth "
          f"{upload['peak_mib']:.0f}/{one['peak_mib']:.0f}/{every['peak_mib']:.0f} MiB; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for step in (upload, one, every):
        assert step["peak_mib"] < 400 - 80, step  # growth over the ~80 MiB a worker holds already


# --- IMG-11: file counts and quotas -----------------------------------------------------------


def test_img_11_150_files_refused(editor_api, admin_client, settings):
    files = [file_of(f"p{i}.png", picture_bytes("PNG", color=(i % 250, 0, 0))) for i in range(150)]
    with db_unchanged():
        response = editor_api.post(API, {"file": files, "alt_text": "x"}, format="multipart")
        assert response.status_code == 400
        for file in files:
            file.seek(0)
        page = admin_client.post(ADMIN_ADD, {"file": files, "alt_text": "x"})
        assert page.status_code == 400
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 10
    assert media_files(settings) == [] and temp_files(settings) == []


@pytest.mark.parametrize("limit", ["bytes", "files"])
def test_img_11_quota(editor_api, admin_client, admin_user, settings, limit):
    first = picture_bytes("PNG", (300, 200), color=(1, 2, 3))
    if limit == "bytes":
        quota = {"UPLOAD_QUOTA_BYTES_PER_DAY": 2 * len(first), "UPLOAD_QUOTA_FILES_PER_DAY": None}
    else:
        quota = {"UPLOAD_QUOTA_BYTES_PER_DAY": None, "UPLOAD_QUOTA_FILES_PER_DAY": 1}
    settings.NEWSROOM = {**settings.NEWSROOM, **quota}
    big = noisy_png(300, 300)
    assert api_upload(editor_api, "first.png", first).status_code == 201
    assert admin_upload(admin_client, "first.png", picture_bytes("PNG", (300, 200), color=(4, 5, 6))).status_code == 302
    files_before = media_files(settings)
    with db_unchanged():
        response = api_upload(editor_api, "second.png", big)
        assert response.status_code == 400, response.content
        assert "quota" in response.json()["detail"]
        page = admin_upload(admin_client, "second.png", big)
        assert admin_refused(page, "quota"), page.content.decode()[:500]
    assert media_files(settings) == files_before and temp_files(settings) == []
    # Another user has their own quota.
    other = APIClient()
    other.force_authenticate(factories.user_in_group("Editor", username="night-desk"))
    assert api_upload(other, "other.png", picture_bytes("PNG", color=(7, 7, 7))).status_code == 201


# --- IMG-12: file names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../x.jpg", "x.jpg"),
        ("..\\..\\x.jpg", "x.jpg"),
        ("a\x00.jpg", "a.jpg"),
        ("n" * 300 + ".jpg", ("n" * 300 + ".jpg")[-255:]),
        ("\u202egpj.exe", "gpj.exe"),
    ],
)
def test_img_12_filename_traversal(editor_api, admin_client, settings, name, kept):
    data = picture_bytes("JPEG", color=(len(name) % 250, 1, 1))
    response = api_upload(editor_api, name, data, "image/jpeg")
    assert response.status_code == 201, response.content
    page = admin_upload(admin_client, name, picture_bytes("JPEG", color=(len(name) % 250, 2, 2)), "image/jpeg")
    assert page.status_code == 302, page.content.decode()[:500]
    media_root = Path(settings.MEDIA_ROOT).resolve()
    for image in Image.objects.all():
        assert re.fullmatch(r"images/([0-9a-z/]+/)?[0-9a-f]{32}\.jpg", image.file.name), image.file.name
        assert Path(image.file.path).resolve().is_relative_to(media_root)
        assert image.original_filename == kept
    assert all(p.resolve().is_relative_to(media_root) for p in media_files(settings))
    outside = [p for p in Path(settings.MEDIA_ROOT).parent.rglob("*.jpg") if not p.resolve().is_relative_to(media_root)]
    assert outside == []
    # No response of ours names a download: the admin and API show the stored (generated) name.
    assert "Content-Disposition" not in response
