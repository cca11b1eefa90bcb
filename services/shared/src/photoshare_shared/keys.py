"""Names made by the server: photo ids and S3 keys (never derived from a user's file name)."""

import hashlib
import re
from datetime import datetime
from urllib.parse import unquote_plus

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


# Objects written under this prefix become photos: `uploads/<username>/<anything>`. Presigned
# uploads use `uploads/<username>/<photo_id>`; other writers (aws s3 cp, a program) any name.
UPLOAD_PREFIX = "uploads/"


def upload_key(username: str, photo_id: str) -> str:
    """S3 key a presigned upload of `username` writes to before it becomes a photo."""
    return f"{UPLOAD_PREFIX}{username}/{photo_id}"


def parse_upload_key(key: str) -> tuple[str, str] | None:
    """(username, name) of a key under the upload prefix, or None for any other key."""
    if not key.startswith(UPLOAD_PREFIX):
        return None
    username, slash, name = key[len(UPLOAD_PREFIX) :].partition("/")
    if not username or not slash or not name or name.endswith("/"):
        return None
    return username, name


def event_key(raw: str) -> str:
    """An object key as S3 event notifications spell it (URL-encoded, spaces as '+')."""
    return unquote_plus(raw)


def photo_id_for_object(key: str, etag: str, written_at: datetime) -> str:
    """A photo id made from one write of an object, so every delivery of its event names the same
    photo: the write's time (sortable like any ULID) and a hash of key and ETag."""
    _, name = parse_upload_key(key) or ("", "")
    if is_photo_id(name):  # a presigned upload: the web chose the id when it handed out the URLs
        return name
    digest = hashlib.sha256(f"{key}\0{etag}".encode()).digest()[:10]
    return str(ULID.from_bytes(int(written_at.timestamp() * 1000).to_bytes(6, "big") + digest))
