"""Checking uploaded pictures by their content, and making the clean copy that is stored.

``open_picture`` is the only way the app decodes a picture (uploads, stored originals,
renditions): ``PIL.Image.open`` with the JPEG, PNG, WebP and GIF decoders only, so TIFF,
PSD, EPS, PDF, ICO, FITS… never reach a decoder.

``inspect_upload`` refuses, with a ``ValidationError`` whose ``code`` says why:
empty files (``empty``), files over the byte limit (``too_large``), pictures over the pixel
limits before anything is decoded, decompression bombs included (``too_many_pixels``,
also for animations whose frames add up to more than half the pixel limit), anything that is not
one of the four formats, SVG and HTML included (``not_an_image``), and truncated or
corrupt pictures, found by ``verify()`` and then a full decode (``broken``).

``clean_copy`` makes what is stored instead of the uploaded bytes: the picture decoded and
encoded again in its own format, so trailing data (a PNG with an ``<html><script>`` tail),
comment segments (a JPEG COM with HTML), maker notes and every metadata block of the
upload are gone. It turns the pixels upright (EXIF orientation), converts them to sRGB
when they carry another colour profile, and writes back only the credit: EXIF Artist and
Copyright and an XMP packet with ``dc:creator``, ``photoshop:Credit`` and ``dc:rights``
(GIF has no room for them). GPS, IIM and XMP location fields, camera serials and the rest
are not copied, so they are stripped from the original and from every rendition (which
are made from it). JPEG is re-encoded with its own quantisation tables, so it loses next
to nothing; lossless WebP stays lossless. Animated GIF, WebP and PNG keep their frames
(renditions use the first).
"""

import io
import re
import struct
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, JpegImagePlugin, PngImagePlugin

from .metadata import build_exif, build_xmp

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}

EMPTY_FILE = "The file is empty."
TOO_MANY_BYTES = "The file is too large ({size} bytes); the limit is {limit} bytes."
NOT_AN_IMAGE = "The file is not a JPEG, PNG, WebP or GIF picture."
TOO_MANY_PIXELS = "The picture is too large ({width}×{height}); the limit is {limit} pixels and {side} pixels a side."
TOO_MANY_FRAMES = (
    "The animation is too large ({frames} frames of {width}×{height}); the limit is {limit} pixels over all frames."
)
TOO_MANY_PIXELS_BOMB = (
    "The picture is far too large ({pixels} pixels); the limit is {limit} pixels and {side} pixels a side."
)
BROKEN_IMAGE = "The picture is truncated or corrupt and cannot be read."

STORED_JPEG_QUALITY = 92  # when the upload's own quantisation tables cannot be reused
STORED_WEBP_QUALITY = 90


@dataclass(frozen=True)
class PictureInfo:
    format: str
    width: int
    height: int
    frames: int = 1

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class FileCredit:
    """The credit written into stored files and renditions."""

    creator: str = ""
    credit_line: str = ""
    copyright_notice: str = ""

    @classmethod
    def of(cls, image) -> "FileCredit":
        """The credit of an ``Image`` (or anything with the same attributes)."""
        return cls(creator=image.creator, credit_line=image.credit_line, copyright_notice=image.copyright_notice)

    def exif(self) -> bytes:
        exif = build_exif(creator=self.creator, copyright_notice=self.copyright_notice)
        return exif.tobytes() if len(exif) else b""

    def xmp(self) -> bytes:
        return build_xmp(creator=self.creator, credit_line=self.credit_line, copyright_notice=self.copyright_notice)


@dataclass(frozen=True)
class CleanPicture:
    """The bytes to store for an upload, and what they are."""

    content: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def client_filename(file) -> str:
    """The name the client gave the file, kept only as metadata: its last path component
    (either slash), without control or bidirectional-override characters (NUL cannot be
    stored in PostgreSQL; U+202E would disguise the name in the admin), at most 255 long."""
    name = str(getattr(file, "name", "") or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf", "Cs"})
    return name.strip()[-255:]


def picture_format(picture: PILImage.Image) -> str:
    """The format a picture is stored as: its own, except that a multi-picture JPEG (MPO,
    from phones and stereo cameras, which the JPEG decoder hands over) is a JPEG."""
    return "JPEG" if picture.format == "MPO" else picture.format


def picture_frames(picture: PILImage.Image) -> int:
    """How many frames are kept: all of an animation, one of anything else (an MPO's
    other pictures are previews or the second eye)."""
    return 1 if picture_format(picture) == "JPEG" else getattr(picture, "n_frames", 1)


def open_picture(file) -> PILImage.Image:
    """Open ``file`` with the allowed decoders only (the app's one decode path)."""
    return PILImage.open(file, formats=ALLOWED_FORMATS)


@contextmanager
def bombs_refused() -> Iterator[None]:
    """Treat Pillow's ``DecompressionBombWarning`` as an error inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        yield


def _check_dimensions(width: int, height: int, frames: int = 1) -> None:
    limits = settings.NEWSROOM
    if width * height > limits["MAX_IMAGE_PIXELS"] or max(width, height) > limits["MAX_IMAGE_SIDE"]:
        raise ValidationError(
            TOO_MANY_PIXELS.format(
                width=width, height=height, limit=limits["MAX_IMAGE_PIXELS"], side=limits["MAX_IMAGE_SIDE"]
            ),
            code="too_many_pixels",
        )
    # An animation is decoded frame by frame and (for GIF) held whole while re-encoding.
    budget = limits["MAX_IMAGE_PIXELS"] // 2
    if frames > 1 and width * height * frames > budget:
        raise ValidationError(
            TOO_MANY_FRAMES.format(frames=frames, width=width, height=height, limit=budget),
            code="too_many_pixels",
        )


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn what Pillow raises for a bad picture into the matching ``ValidationError``."""
    with bombs_refused():
        try:
            yield
        except ValidationError:
            raise
        except (PILImage.UnidentifiedImageError, ValueError) as error:
            raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
            # Pillow refuses before our own check could see the size: say it our way.
            found = re.search(r"\((\d+) pixels\)", str(error))
            limits = settings.NEWSROOM
            message = TOO_MANY_PIXELS_BOMB.format(
                pixels=found[1] if found else "too many",
                limit=limits["MAX_IMAGE_PIXELS"],
                side=limits["MAX_IMAGE_SIDE"],
            )
            raise ValidationError(message, code="too_many_pixels") from error
        except (OSError, SyntaxError, EOFError, IndexError, KeyError, TypeError, struct.error) as error:
            raise ValidationError(BROKEN_IMAGE, code="broken") from error


def inspect_upload(file) -> PictureInfo:
    """Return the format, size and frame count of an uploaded picture, or raise
    ``ValidationError``.

    Reads the header first and checks the pixel limits before decoding anything, so a
    decompression bomb costs nothing; then verifies the structure and decodes the whole
    (first frame of the) picture once, so truncated files are caught here rather than
    when a page shows them.
    """
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if not size:
        raise ValidationError(EMPTY_FILE, code="empty")
    if size > settings.NEWSROOM["MAX_IMAGE_BYTES"]:
        raise ValidationError(
            TOO_MANY_BYTES.format(size=size, limit=settings.NEWSROOM["MAX_IMAGE_BYTES"]), code="too_large"
        )
    try:
        with _refusals():
            file.seek(0)
            with open_picture(file) as picture:
                width, height = picture.size
                _check_dimensions(width, height)
                frames = picture_frames(picture)
                info = PictureInfo(picture_format(picture), width, height, frames)
                _check_dimensions(width, height, frames)
                picture.verify()
            file.seek(0)
            with open_picture(file) as picture:
                picture.load()
    finally:
        file.seek(0)
    return info


@contextmanager
def opened_upload(file) -> Iterator[PILImage.Image]:
    """Open an upload that ``inspect_upload`` accepted, decoded (first frame), for reading
    its metadata and making its clean copy with ``clean_copy``. Errors raise
    ``ValidationError`` as ``inspect_upload`` does."""
    try:
        with _refusals():
            file.seek(0)
            with open_picture(file) as picture:
                picture.load()
                yield picture
    finally:
        file.seek(0)


def upright(picture: PILImage.Image) -> PILImage.Image:
    """``picture`` turned as its EXIF orientation says (the same object when upright)."""
    try:
        orientation = picture.getexif().get(0x0112)
    except Exception:  # unreadable EXIF: leave the pixels as they are
        return picture
    if orientation in {2, 3, 4, 5, 6, 7, 8}:
        return ImageOps.exif_transpose(picture)
    return picture


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_srgb(picture: PILImage.Image, icc_profile: bytes | None) -> PILImage.Image:
    """Convert pixels described by ``icc_profile`` to sRGB (profile dropped afterwards);
    CMYK without a usable profile is converted naively."""
    if icc_profile and picture.mode in {"RGB", "RGBA", "CMYK"}:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            description = (ImageCms.getProfileDescription(profile) or "").casefold().replace(" ", "")
            if "srgb" not in description:
                return ImageCms.profileToProfile(
                    picture, profile, _SRGB, outputMode="RGBA" if picture.mode == "RGBA" else "RGB"
                )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unreadable profile: take the pixels as sRGB
    return picture.convert("RGB") if picture.mode == "CMYK" else picture


def _webp_is_lossless(file) -> bool:
    """Whether a WebP file's image chunk is VP8L (lossless), by walking the RIFF chunks."""
    position = file.tell()
    try:
        return _find_vp8l(file)
    finally:
        file.seek(position)


def _find_vp8l(file) -> bool:
    file.seek(12)
    for _ in range(64):
        header = file.read(8)
        if len(header) < 8:
            return False
        fourcc, size = header[:4], int.from_bytes(header[4:], "little")
        if fourcc == b"VP8L":
            return True
        if fourcc in {b"VP8 ", b"ANMF"}:
            return fourcc == b"ANMF" and b"VP8L" in file.read(min(size, 64))
        file.seek(size + (size & 1), 1)
    return False


def save_params(fmt: str, credit: FileCredit | None) -> dict:
    """Metadata parameters for ``Image.save``: only the credit, never anything of the source."""
    params: dict = {"exif": b"", "icc_profile": None}
    if credit is None or fmt == "GIF":
        return {"comment": b""} if fmt == "GIF" else params
    exif, xmp = credit.exif(), credit.xmp()
    params["exif"] = exif
    if fmt == "PNG":
        if xmp:
            info = PngImagePlugin.PngInfo()
            info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"), zip=False)
            params["pnginfo"] = info
    elif xmp:
        params["xmp"] = xmp
    return params


def clean_copy(picture: PILImage.Image, *, credit: FileCredit | None = None, source=None) -> CleanPicture:
    """Encode ``picture`` (opened by ``opened_upload``) again, in its own format, without
    any of its metadata: upright, sRGB, with only ``credit`` written. ``source`` is the
    uploaded file (to tell lossless WebP from lossy). Raises ``ValidationError`` when a
    later frame of an animation turns out broken."""
    fmt = picture_format(picture)
    frames = picture_frames(picture)
    params = save_params(fmt, credit)
    out = io.BytesIO()
    with _refusals():
        if frames > 1:
            # Frames are re-encoded as they are: animations rarely carry orientation or
            # colour profiles, and turning each frame would cost a decode per frame more.
            if fmt == "WEBP":
                params["quality"] = STORED_WEBP_QUALITY
            if fmt == "GIF":
                params["comment"] = b""
            picture.seek(0)
            picture.save(out, format=fmt, save_all=True, **params)
            width, height = picture.size
        else:
            icc_profile = picture.info.get("icc_profile")
            transparency = picture.info.get("transparency")
            frame = to_srgb(upright(picture), icc_profile)
            frame.info = {}  # nothing of the upload's (comments, text chunks…) may follow it
            if fmt == "JPEG":
                if frame.mode not in {"RGB", "L"}:
                    frame = frame.convert("RGB")
                sampling = JpegImagePlugin.get_sampling(picture)
                tables = getattr(picture, "quantization", None)
                if tables and frame.mode == picture.mode and sampling != -1:
                    params.update(qtables=tables, subsampling=sampling)
                else:
                    params["quality"] = STORED_JPEG_QUALITY
            elif fmt == "WEBP":
                lossless = source is not None and _webp_is_lossless(source)
                if lossless:
                    params["lossless"] = True
                else:
                    params["quality"] = STORED_WEBP_QUALITY
            elif fmt in {"PNG", "GIF"} and transparency is not None and frame.mode in {"P", "L", "RGB"}:
                params["transparency"] = transparency
            frame.save(out, format=fmt, **params)
            width, height = frame.size
    return CleanPicture(content=out.getvalue(), format=fmt, width=width, height=height)
