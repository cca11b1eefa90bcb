"""Photo items made directly, for the tests and the bench that fill a table without uploading or running jobs."""

from datetime import UTC, datetime, timedelta
from typing import Any

from photoshare_shared.catalog.item import to_item
from photoshare_shared.keys import new_photo_id
from photoshare_shared.photo import Photo, Status, Thumbnail, iso_utc


def ready_item(photo_id: str, filename: str, stamp: str, **fields: Any) -> dict[str, Any]:
    """The DynamoDB item of a READY 3000x4000 JPEG with both thumbnails, made and finished at `stamp`;
    `fields` adds or replaces Photo fields (owner, EXIF, ...)."""
    photo = {
        "photo_id": photo_id,
        "filename": filename,
        "content_type": "image/jpeg",
        "size_bytes": 3_000_000,
        "created_at": stamp,
        "status": Status.READY,
        "attempts": 1,
        "finished_at": stamp,
        "width": 3000,
        "height": 4000,
        "format": "JPEG",
        "thumbnails": {
            "small": Thumbnail(f"thumbnails/{photo_id}/small.webp", 192, 256, "image/webp"),
            "large": Thumbnail(f"thumbnails/{photo_id}/large.jpg", 960, 1280, "image/jpeg"),
        },
    }
    return to_item(Photo(**{**photo, **fields}))


def add_queued(catalog: Any, *, age_s: float = 0, unsent: bool = False) -> str:
    """Store a QUEUED photo uploaded `age_s` seconds ago (its job kept unsent if asked); its id."""
    moment = iso_utc(datetime.now(UTC) - timedelta(seconds=age_s))
    photo = Photo(
        photo_id=new_photo_id(),
        filename="a.jpg",
        content_type="image/jpeg",
        size_bytes=1,
        created_at=moment,
        queued_at=moment,
        job_unsent=unsent,
    )
    catalog.add(photo=photo)
    return photo.photo_id
