"""Which images Photoshare accepts and which derivatives it makes of them."""

from dataclasses import dataclass
from functools import cache
from typing import IO

from PIL import Image, ImageFile

# Pillow format name -> the content type an original is stored and served with.
# Decided by content (magic bytes and header), never by file name or client header.
# HEIF (HEIC) and AVIF are what phones produce.
ACCEPTED_FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
    "AVIF": "image/avif",
}
ACCEPTED_NAMES = "JPEG, PNG, GIF, WebP, HEIC or AVIF"
# The content type of an original written straight to S3 until the worker has decoded it.
UNCHECKED_CONTENT_TYPE = "application/octet-stream"
# Content type of an accepted format -> the extension an original is downloaded with.
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/avif": "avif",
    UNCHECKED_CONTENT_TYPE: "bin",
}


def file_extension(content_type: str) -> str:
    """The file extension of an accepted content type (as ACCEPTED_FORMATS gives it)."""
    return _EXTENSIONS[content_type]


# Pillow names some accepted files after a variant: a JPEG with a multi-picture index
# (most phone cameras) opens as "MPO".
_VARIANTS = {"MPO": "JPEG"}


def canonical_format(pillow_format: str | None) -> str | None:
    """The accepted format a file opened by Pillow belongs to, or None."""
    name = _VARIANTS.get(pillow_format or "", pillow_format or "")
    return name if name in ACCEPTED_FORMATS else None


# The order Pillow tries its openers in: HEIF last. HEIC and AVIF share one container (HEIF), and
# both openers take a file whose ftyp box names the generic brand (mif1, msf1) first. Pillow's AVIF
# opener refuses a file whose brands do not include avif (a SyntaxError: Pillow moves on), while
# pillow-heif would take an AVIF file and then fail to decode it (it has no AV1 decoder).
_OPEN_ORDER = sorted(ACCEPTED_FORMATS, key=lambda name: name == "HEIF")


@cache
def enable_phone_formats() -> None:
    """Teach Pillow to open HEIC/HEIF (AVIF is built into Pillow); open_image calls it."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def open_image(stream: IO[bytes]) -> ImageFile.ImageFile:
    """Image.open for the accepted formats only, each file routed by what it holds (see _OPEN_ORDER).

    The one way the upload check and the worker open a file, so both name it the same format.
    """
    enable_phone_formats()
    return Image.open(stream, formats=_OPEN_ORDER)


@dataclass(frozen=True)
class ThumbnailSpec:
    """One derivative the worker makes of every photo."""

    name: str
    max_side: int
    format: str
    quality: int
    content_type: str
    extension: str


SMALL = ThumbnailSpec("small", 256, "WEBP", 80, "image/webp", "webp")
LARGE = ThumbnailSpec("large", 1280, "JPEG", 85, "image/jpeg", "jpg")
THUMBNAIL_SPECS: tuple[ThumbnailSpec, ...] = (SMALL, LARGE)
# libwebp's speed/size trade-off (0-6) for the small thumbnail: 2 encodes a 192x256 in half the
# time of the default 4 (2.6 vs 5.3 ms) for a file ~4% larger (about 250 bytes).
WEBP_METHOD = 2
