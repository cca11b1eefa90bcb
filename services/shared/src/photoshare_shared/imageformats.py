"""Which images Photoshare accepts and which derivatives it makes of them."""

from dataclasses import dataclass

# Pillow format name -> the content type an original is stored and served with.
# Decided by content (magic bytes and header), never by file name or client header.
ACCEPTED_FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


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
