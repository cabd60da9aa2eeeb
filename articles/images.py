"""Checking uploaded pictures by their content, never by their name or declared type.

``inspect_upload`` is the only place that decodes an uploaded file. It allows JPEG, PNG,
WebP and GIF, refuses files over the byte limit, pictures over the pixel limits
(decompression bombs included), truncated and corrupt files, and anything else (SVG, HTML,
PDF, polyglots that do not decode as a whole picture).
"""

import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image as PILImage

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

EMPTY_FILE = "The file is empty."
TOO_MANY_BYTES = "The file is too large ({size} bytes); the limit is {limit} bytes."
NOT_AN_IMAGE = "The file is not a JPEG, PNG, WebP or GIF picture."
TOO_MANY_PIXELS = "The picture is too large ({width}×{height}); the limit is {limit} pixels and {side} pixels a side."
BROKEN_IMAGE = "The picture is truncated or corrupt and cannot be read."


@dataclass(frozen=True)
class PictureInfo:
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def _check_dimensions(width: int, height: int) -> None:
    limits = settings.NEWSROOM
    if width * height > limits["MAX_IMAGE_PIXELS"] or max(width, height) > limits["MAX_IMAGE_SIDE"]:
        raise ValidationError(
            TOO_MANY_PIXELS.format(
                width=width, height=height, limit=limits["MAX_IMAGE_PIXELS"], side=limits["MAX_IMAGE_SIDE"]
            ),
            code="too_many_pixels",
        )


def inspect_upload(file) -> PictureInfo:
    """Return the format and size of an uploaded picture, or raise ``ValidationError``.

    Reads the header first and checks the pixel limits before decoding anything, so a
    decompression bomb costs nothing; then verifies the structure and decodes the whole
    picture once, so truncated files are caught here rather than when a page shows them.
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
    with warnings.catch_warnings():
        # A DecompressionBombWarning is a refusal here, not a warning.
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            file.seek(0)
            with PILImage.open(file, formats=ALLOWED_FORMATS) as picture:
                info = PictureInfo(picture.format, *picture.size)
                _check_dimensions(info.width, info.height)
                picture.verify()
            file.seek(0)
            with PILImage.open(file, formats=ALLOWED_FORMATS) as picture:
                picture.load()
        except ValidationError:
            raise
        except (PILImage.UnidentifiedImageError, ValueError) as error:
            raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
            raise ValidationError(str(error), code="too_many_pixels") from error
        except (OSError, SyntaxError, EOFError) as error:
            raise ValidationError(BROKEN_IMAGE, code="broken") from error
        finally:
            file.seek(0)
    return info
