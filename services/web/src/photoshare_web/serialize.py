"""The photo JSON of the API (a stable contract: add fields, never rename them)."""

from decimal import Decimal
from typing import Any

from flask import url_for

from photoshare_shared.photo import Photo, Status
from photoshare_shared.store import PhotoStore
from photoshare_web.current_backends import current_backends


def photo_json(photo: Photo, store: PhotoStore) -> dict[str, Any]:
    """The public view of a photo, with short-lived image URLs."""
    thumbnails = None
    if photo.status is Status.READY:
        thumbnails = {
            name: {"url": store.thumbnail_url(t.key), "width": t.width, "height": t.height}
            for name, t in photo.thumbnails.items()
        }
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
        "exif": plain_numbers(photo.exif),
        "thumbnails": thumbnails,
        # Through the web, not S3: only there can the download carry nosniff (a polyglot
        # original must never render as a page).
        "original_url": site_link("pages.download_original", photo_id=photo.photo_id),
    }


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
