"""Names made by the server: photo ids and S3 keys (never derived from a user's file name)."""

import re

from ulid import ULID

from photoshare_shared.imageformats import ThumbnailSpec

# A ULID: 26 Crockford base32 characters, sortable by creation time.
PHOTO_ID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_photo_id() -> str:
    """A fresh, time-sortable photo id."""
    return str(ULID())


def is_photo_id(value: str) -> bool:
    """True when `value` has the shape of a photo id."""
    return bool(PHOTO_ID_PATTERN.match(value))


def original_key(photo_id: str) -> str:
    """S3 key of a photo's original."""
    return f"originals/{photo_id}"


def thumbnail_prefix(photo_id: str) -> str:
    """S3 prefix under which all of a photo's derivatives live."""
    return f"thumbnails/{photo_id}/"


def thumbnail_key(photo_id: str, spec: ThumbnailSpec) -> str:
    """S3 key of one derivative of a photo."""
    return f"{thumbnail_prefix(photo_id)}{spec.name}.{spec.extension}"
