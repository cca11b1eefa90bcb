"""Turning an object that landed under `uploads/<username>/` into a photo: one way for all writers.

The web's upload completion, the S3-event consumer and `photoshare-import` all call `land`. It is
idempotent: the photo id comes from the object (a presigned upload's key holds it; any other write
gets one from its key, ETag and time), the item is written only if that id is free, and the object
is copied to the photo's original key inside S3 before the item exists. So completion and event,
in either order or at once, and every redelivery of the event, make one photo.

Nothing here reads the image: the worker judges the bytes, and one that is not an accepted image
ends FAILED with its original removed.
"""

import logging
from dataclasses import dataclass

from botocore.exceptions import ClientError

from photoshare_shared import keys
from photoshare_shared.catalog.photos import PhotoCatalog
from photoshare_shared.imageformats import UNCHECKED_CONTENT_TYPE
from photoshare_shared.photo import Photo, Visibility, display_filename, utc_now
from photoshare_shared.settings import Settings, too_large_message
from photoshare_shared.uploadarea import LandedObject, UploadArea

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Owner:
    """The account an upload belongs to."""

    sub: str
    username: str


@dataclass(frozen=True)
class Landed:
    """What became of a landed object."""

    photo: Photo
    # The photo is an earlier upload of the same bytes by the same owner; nothing new was made.
    duplicate: bool = False
    # This call wrote the photo's item: its job is the caller's to send.
    created: bool = False


class NotLanded(Exception):
    """The object cannot become a photo; str(exc) says why, for a person. It has been removed
    (or was never there)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def land(
    key: str,
    *,
    owner: Owner,
    area: UploadArea,
    catalog: PhotoCatalog,
    settings: Settings,
    visibility: Visibility,
    photo_id: str | None = None,
    hash_undeclared: bool = False,
    keep_source: bool = False,
) -> Landed:
    """Make (or find) the photo of the object at `key`, seen by whom `visibility` says.

    `hash_undeclared`: read the object to hash it when its writer declared no SHA-256 (the worker
    side may; the web never reads photo bytes). `keep_source`: leave the object where it is (an
    import from somebody else's prefix).
    """
    found = area.describe(key)
    if found is None:
        # Gone: another caller landed it already (then its photo exists), or it was never written.
        existing = catalog.get(photo_id=photo_id) if photo_id else None
        if existing is None:
            raise NotLanded(404, "The upload has no object in storage: it was never sent, or was cancelled.")
        return Landed(existing)
    photo_id = photo_id or keys.photo_id_for_object(key, found.etag, found.written_at)
    _check_size(found, settings, area, keep_source)
    sha256 = found.sha256 or (area.checksum(key) if hash_undeclared else None)
    if sha256:
        duplicate = catalog.find_duplicate(owner_id=owner.sub, sha256=sha256)
        if duplicate is not None:
            _remove(area, key, keep_source)
            # This very object, landed by another caller that has not removed it yet, or other bytes.
            return Landed(duplicate, duplicate=duplicate.photo_id != photo_id)

    try:
        area.adopt(key, photo_id)
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"NoSuchKey", "404"}:
            raise
        # Landed meanwhile by a concurrent caller, which removed the source after its copy.
        return _landed_by_another(photo_id, catalog)
    now = utc_now()
    photo = Photo(
        photo_id=photo_id,
        filename=display_filename(found.filename or key.rsplit("/", 1)[-1]),
        content_type=UNCHECKED_CONTENT_TYPE,  # the worker decides it from the bytes
        size_bytes=found.size,
        created_at=now,
        queued_at=now,
        owner_id=owner.sub,
        owner_name=owner.username,
        sha256=sha256,  # declared or read here; the worker writes the one it computes at READY
        visibility=visibility,
    )
    try:
        catalog.add(photo=photo)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        _remove(area, key, keep_source)
        return _landed_by_another(photo_id, catalog)
    _remove(area, key, keep_source)
    return Landed(photo, created=True)


def _check_size(found: LandedObject, settings: Settings, area: UploadArea, keep_source: bool) -> None:
    """Refuse an empty object, one over the limit, or one that is not the size its client declared."""
    problem: tuple[int, str] | None = None
    if found.size == 0:
        problem = (400, "The file is empty.")
    elif found.size > settings.max_upload_bytes:
        problem = (413, too_large_message(settings))
    elif found.declared_size is not None and found.size != found.declared_size:
        problem = (400, f"{found.size} bytes were sent, but the upload was declared as {found.declared_size} bytes.")
    if problem is not None:
        _remove(area, found.key, keep_source)
        raise NotLanded(*problem)


def _landed_by_another(photo_id: str, catalog: PhotoCatalog) -> Landed:
    photo = catalog.get(photo_id=photo_id)
    if photo is None:
        raise NotLanded(409, "The upload was removed while it was being registered.")
    return Landed(photo)


def _remove(area: UploadArea, key: str, keep_source: bool) -> None:
    if not keep_source:
        area.remove(key)
