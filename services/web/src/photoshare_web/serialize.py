"""The photo JSON of the API (a stable contract: add fields, never rename them)."""

from decimal import Decimal
from typing import Any

from flask import url_for

from photoshare_shared.photo import Photo, Status
from photoshare_shared.store import PhotoStore
from photoshare_web.access import Sight
from photoshare_web.current_backends import current_backends


def photo_json(photo: Photo, store: PhotoStore, sight: Sight) -> dict[str, Any]:
    """A photo as `sight` lets its viewer see it: the position only when shared with them, the
    original's URL only when they may download it, image URLs through the link when seen by one."""
    thumbnails = None
    if photo.status is Status.READY:
        thumbnails = {
            name: {"url": _thumbnail_url(photo, name, t.key, store, sight), "width": t.width, "height": t.height}
            for name, t in photo.thumbnails.items()
        }
    exif = dict(photo.exif)
    if not sight.location:
        exif.pop("gps", None)
    return {
        "id": photo.photo_id,
        "filename": photo.filename,
        "owner": photo.owner_name,
        "status": photo.status.value,
        "error": photo.error,
        "attempts": photo.attempts,
        "retries": photo.retries,
        "created_at": photo.created_at,
        "content_type": photo.content_type,
        "size_bytes": photo.size_bytes,
        "width": photo.width if photo.status is Status.READY else None,
        "height": photo.height if photo.status is Status.READY else None,
        "format": photo.format,
        "sha256": photo.sha256,
        "average_color": photo.average_color,
        "exif": plain_numbers(exif),
        "thumbnails": thumbnails,
        # Through the web, not S3: only there can the download carry nosniff (a polyglot
        # original must never render as a page), and only there is the position taken out.
        "original_url": _original_url(photo, sight),
        "visibility": photo.visibility.value,
        "share_location": photo.share_location,
        "allow_download": photo.allow_download,
    }


def _thumbnail_url(photo: Photo, name: str, key: str, store: PhotoStore, sight: Sight) -> str:
    if sight.link is None:
        return store.thumbnail_url(key)
    # Checked against the link on every use, so it ends with the link (links.py).
    return site_link("links.thumbnail", token=sight.link.token, photo_id=photo.photo_id, size=name)


def _original_url(photo: Photo, sight: Sight) -> str | None:
    if not sight.download:
        return None
    if sight.link is None:
        return site_link("pages.download_original", photo_id=photo.photo_id)
    return site_link("links.original", token=sight.link.token, photo_id=photo.photo_id)


def site_link(endpoint: str, **values: Any) -> str:
    """A link to a page of this site: under PHOTOSHARE_SITE_URL when set, else a path. Never built
    from the Host header, which whoever sends the request writes (a forged one would otherwise
    travel on in the answer, and in any cache that keeps it)."""
    return (current_backends().settings.site_url or "") + url_for(endpoint, **values)


def plain_numbers(value: Any) -> Any:
    """DynamoDB's Decimals as JSON numbers (int when whole), recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_numbers(item) for item in value]
    return value
