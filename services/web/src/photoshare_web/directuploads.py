"""Direct uploads: the web hands out presigned part URLs and the bytes go from the client to S3.

The API's `upload_id` is the photo id the upload will become; S3 keeps the upload itself, found
again by its key `uploads/<username>/<upload_id>`, so no other account can name it and the web
keeps no state of its own. Completion lands the object as a photo (photoshare_shared.landing),
exactly as the S3-event consumer would: whichever comes first makes it, the other finds it.
"""

import re
from dataclasses import dataclass
from typing import Any

from photoshare_shared import keys
from photoshare_shared.backends import Backends
from photoshare_shared.landing import Landed, NotLanded, Owner, land
from photoshare_shared.photo import Photo, display_filename
from photoshare_shared.settings import too_large_message
from photoshare_shared.uploadarea import MAX_PARTS, Declared, NoSuchUpload, Part, PartsRefused
from photoshare_web.accounts.tokens import Identity
from photoshare_web.dispatch import JobDispatcher
from photoshare_web.errors import HttpError
from photoshare_web.uploads import upload_visibility

_SHA256 = re.compile(r"[0-9a-f]{64}")
START_BODY = '{"filename": "...", "size": <bytes>, "sha256": "<64 hex digits>"}'
COMPLETE_BODY = '{"parts": [{"number": 1, "etag": "..."}, ...]}'
_NOT_FOUND = "No upload in progress with that id: it was completed, cancelled, or belongs to another account."


@dataclass(frozen=True)
class Started:
    """A new direct upload, or the photo these bytes already are."""

    upload_id: str | None = None
    part_size: int = 0
    part_urls: tuple[tuple[int, str], ...] = ()
    duplicate_of: Photo | None = None


def start(body: dict[str, Any], *, owner: Identity, backends: Backends) -> Started:
    """Check what the client declares, then begin a multipart upload (or name the duplicate)."""
    declared = _declared(body, backends)
    duplicate = backends.catalog.find_duplicate(owner_id=owner.sub, sha256=declared.sha256)
    if duplicate is not None:
        return Started(duplicate_of=duplicate)
    upload_id = keys.new_photo_id()
    key = keys.upload_key(owner.username, upload_id)
    s3_upload = backends.uploads.start(key, declared)
    part_size = backends.settings.upload_part_bytes
    count = max(1, -(-declared.size // part_size))
    urls = backends.uploads.part_urls(key, s3_upload, count)
    return Started(upload_id=upload_id, part_size=part_size, part_urls=tuple(urls))


def parts(upload_id: str, *, owner: Identity, backends: Backends) -> list[Part]:
    """The parts S3 already has, so a client sends only the rest."""
    key = _key(upload_id, owner)
    try:
        return backends.uploads.parts(key, _s3_upload(key, backends))
    except NoSuchUpload as missing:
        raise HttpError(404, _NOT_FOUND) from missing


def part_urls(upload_id: str, *, owner: Identity, backends: Backends, count: int) -> list[tuple[int, str]]:
    """Fresh URLs for parts 1..count (those handed out at the start may have expired)."""
    key = _key(upload_id, owner)
    return backends.uploads.part_urls(key, _s3_upload(key, backends), count)


def complete(
    upload_id: str, body: dict[str, Any], *, owner: Identity, backends: Backends, jobs: JobDispatcher
) -> Landed:
    """Join the parts and land the object as a photo (QUEUED), or name the photo it duplicates."""
    key = _key(upload_id, owner)
    listed = _listed_parts(body)
    try:
        s3_upload = backends.uploads.find(key)
    except NoSuchUpload:
        s3_upload = None  # completed already (a retried request, or the consumer got there first)
    if s3_upload is not None:
        try:
            backends.uploads.complete(key, s3_upload, listed)
        except NoSuchUpload:
            pass  # a concurrent completion of the same upload won; landing finds its photo
        except PartsRefused as refusal:
            raise HttpError(400, str(refusal)) from refusal
    try:
        landed = land(
            key,
            owner=Owner(sub=owner.sub, username=owner.username),
            area=backends.uploads,
            catalog=backends.catalog,
            settings=backends.settings,
            visibility=upload_visibility(body.get("visibility"), owner=owner, backends=backends),
            photo_id=upload_id,
        )
    except NotLanded as refusal:
        raise HttpError(refusal.status, str(refusal)) from refusal
    if landed.photo.owner_id != owner.sub:
        raise HttpError(404, _NOT_FOUND)
    if landed.created:
        jobs.send(landed.photo.photo_id, new=True)
    return landed


def cancel(upload_id: str, *, owner: Identity, backends: Backends) -> None:
    """Abort the upload: S3 drops every part it kept."""
    key = _key(upload_id, owner)
    try:
        backends.uploads.abort(key, _s3_upload(key, backends))
    except NoSuchUpload as missing:
        raise HttpError(404, _NOT_FOUND) from missing


def _declared(body: dict[str, Any], backends: Backends) -> Declared:
    filename, size, sha256 = body.get("filename"), body.get("size"), body.get("sha256")
    if not isinstance(filename, str) or not filename.strip():
        raise HttpError(400, f"filename is required. Send JSON: {START_BODY}.")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise HttpError(400, "size must be the file's size in bytes, a whole number above 0.")
    if size > backends.settings.max_upload_bytes:
        raise HttpError(413, too_large_message(backends.settings))
    if -(-size // backends.settings.upload_part_bytes) > MAX_PARTS:
        raise HttpError(413, too_large_message(backends.settings))
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256.lower()):
        raise HttpError(400, "sha256 must be the file's SHA-256 as 64 hexadecimal digits.")
    return Declared(filename=display_filename(filename), size=size, sha256=sha256.lower())


def _listed_parts(body: dict[str, Any]) -> list[tuple[int, str]]:
    listed = body.get("parts")
    if not isinstance(listed, list) or not listed or len(listed) > MAX_PARTS:
        raise HttpError(400, f"parts must list every part sent. Send JSON: {COMPLETE_BODY}.")
    found: dict[int, str] = {}
    for part in listed:
        number = part.get("number") if isinstance(part, dict) else None
        etag = part.get("etag") if isinstance(part, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_PARTS:
            raise HttpError(400, f"Each part needs a number from 1 to {MAX_PARTS}. Send JSON: {COMPLETE_BODY}.")
        if not isinstance(etag, str) or not etag or len(etag) > 100:
            raise HttpError(400, f"Part {number} needs the etag S3 answered its PUT with.")
        if number in found:
            raise HttpError(400, f"Part {number} is listed twice.")
        found[number] = etag
    return sorted(found.items())


def _key(upload_id: str, owner: Identity) -> str:
    if not keys.is_photo_id(upload_id):
        raise HttpError(404, _NOT_FOUND)
    return keys.upload_key(owner.username, upload_id)


def _s3_upload(key: str, backends: Backends) -> str:
    try:
        return backends.uploads.find(key)
    except NoSuchUpload as missing:
        raise HttpError(404, _NOT_FOUND) from missing
