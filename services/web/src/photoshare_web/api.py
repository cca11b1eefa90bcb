"""The JSON API under /api: upload (through the web or straight to S3), list, read and delete photos."""

from typing import Any

from flask import Blueprint, request, url_for

from photoshare_shared.catalog.cursor import InvalidCursor
from photoshare_shared.landing import Landed
from photoshare_shared.uploadarea import MAX_PARTS
from photoshare_web import directuploads, operations
from photoshare_web.accounts.current import protect_cookie_writes, require_user
from photoshare_web.current_backends import current_backends
from photoshare_web.dispatch import dispatcher
from photoshare_web.errors import BAD_CURSOR, HttpError
from photoshare_web.jobs_overview import current_overview
from photoshare_web.ratelimit import retry_limit, upload_limit
from photoshare_web.requestinput import bool_field, json_object, query_int, visibility_field
from photoshare_web.uploads import accept_request_upload

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_PAGE_SIZE = 100

bp.before_request(protect_cookie_writes)


@bp.post("/photos")
@upload_limit
def upload_photo() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Accept one image (multipart field `file`): 202 and the photo, processed in the background."""
    owner = require_user("upload photos")
    if len(request.files.getlist("file")) > 1:
        raise HttpError(400, "Send one photo per request in the form field 'file'.")
    landed = accept_request_upload(owner)
    return _landed_answer(landed)


@bp.post("/uploads")
@upload_limit
def start_upload() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Begin a direct upload: 201 with presigned part URLs, or 200 {"duplicate_of"} for bytes already sent."""
    owner = require_user("upload photos")
    started = directuploads.start(json_object(directuploads.START_BODY), owner=owner, backends=current_backends())
    if started.duplicate_of is not None:
        return _landed_answer(Landed(started.duplicate_of, duplicate=True))
    assert started.upload_id is not None
    location = url_for("api.upload_status", upload_id=started.upload_id)
    return (
        {
            "upload_id": started.upload_id,
            "part_size": started.part_size,
            "parts": [{"number": number, "url": url} for number, url in started.part_urls],
            "complete_url": url_for("api.complete_upload", upload_id=started.upload_id),
            "expires_in": current_backends().settings.presigned_url_ttl_s,
        },
        201,
        {"Location": location},
    )


@bp.get("/uploads/<upload_id>")
def upload_status(upload_id: str) -> dict[str, Any]:
    """The parts S3 already has, and fresh URLs for them all (`?parts=N`), to resume an upload."""
    owner = require_user("resume an upload")
    have = directuploads.parts(upload_id, owner=owner, backends=current_backends())
    answer: dict[str, Any] = {
        "upload_id": upload_id,
        "part_size": current_backends().settings.upload_part_bytes,
        "received": [{"number": p.number, "etag": p.etag, "size": p.size} for p in have],
    }
    wanted = query_int("parts", default=0, low=0, high=MAX_PARTS)
    if wanted:
        urls = directuploads.part_urls(upload_id, owner=owner, backends=current_backends(), count=wanted)
        answer["parts"] = [{"number": number, "url": url} for number, url in urls]
    return answer


@bp.post("/uploads/<upload_id>/complete")
@upload_limit
def complete_upload(upload_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Join the parts: 202 with the photo (QUEUED), or 200 {"duplicate_of"}."""
    owner = require_user("upload photos")
    body = json_object(directuploads.COMPLETE_BODY)
    landed = directuploads.complete(upload_id, body, owner=owner, backends=current_backends(), jobs=dispatcher())
    return _landed_answer(landed)


@bp.delete("/uploads/<upload_id>")
def cancel_upload(upload_id: str) -> tuple[str, int]:
    """Abort a direct upload: 204, and S3 drops its parts."""
    directuploads.cancel(upload_id, owner=require_user("cancel an upload"), backends=current_backends())
    return "", 204


def _landed_answer(landed: Landed) -> tuple[dict[str, Any], int, dict[str, str]]:
    """202 and the new photo, or 200 {"duplicate_of": photo} when these bytes are one already."""
    body = operations.photo_answer(landed.photo)
    if landed.duplicate:
        return {"duplicate_of": body}, 200, {}
    return body, 202, {"Location": url_for("api.get_photo", photo_id=landed.photo.photo_id)}


@bp.get("/photos")
def list_photos() -> dict[str, Any]:
    """A page of public photos, newest first: {"items": [...], "next_cursor": ...}; `owner=me`: all
    of yours, private ones included."""
    limit = query_int("limit", default=current_backends().settings.page_size, low=1, high=MAX_PAGE_SIZE)
    owner = request.args.get("owner")
    if owner not in (None, "", "me"):
        raise HttpError(400, "owner can only be 'me' (your own photos).")
    owner_id = require_user("list your photos").sub if owner == "me" else None
    try:
        page = current_backends().catalog.page(
            limit=limit, cursor=request.args.get("cursor") or None, owner_id=owner_id
        )
    except InvalidCursor as error:
        raise HttpError(400, BAD_CURSOR) from error
    items = [operations.photo_answer(p) for p in page.photos]
    return {"items": items, "next_cursor": page.next_cursor}


@bp.get("/photos/<photo_id>")
def get_photo(photo_id: str) -> dict[str, Any]:
    """One photo, or 404 (also for another person's private photo)."""
    photo = operations.find_photo(photo_id)
    return operations.photo_answer(photo)


@bp.patch("/photos/<photo_id>")
def change_photo(photo_id: str) -> dict[str, Any]:
    """The owner's sharing choices: {"visibility", "share_location", "allow_download"}, each optional."""
    photo = operations.find_own_photo(photo_id, "change who sees it")
    body = json_object('{"visibility": "private"|"public", "share_location": true|false, "allow_download": true|false}')
    unknown = set(body) - {"visibility", "share_location", "allow_download"}
    if unknown:
        raise HttpError(400, f"Unknown field(s): {', '.join(sorted(unknown))}.")
    changed = operations.change_sharing(
        photo,
        visibility=visibility_field(body, "visibility"),
        share_location=bool_field(body, "share_location"),
        allow_download=bool_field(body, "allow_download"),
    )
    return operations.photo_answer(changed)


@bp.get("/account/preferences")
def preferences() -> dict[str, Any]:
    """The signed-in account's default visibility for new uploads."""
    owner = require_user("see your preferences")
    return {"default_visibility": current_backends().preferences.default_visibility(owner.sub).value}


@bp.patch("/account/preferences")
def change_preferences() -> dict[str, Any]:
    """Set the default visibility of one's new uploads: {"default_visibility": "private"|"public"}."""
    owner = require_user("change your preferences")
    chosen = visibility_field(json_object('{"default_visibility": "private"|"public"}'), "default_visibility")
    if chosen is None:
        raise HttpError(400, 'Send JSON: {"default_visibility": "private"|"public"}.')
    current_backends().preferences.set_default_visibility(owner.sub, chosen)
    return {"default_visibility": chosen.value}


@bp.delete("/photos/<photo_id>")
def delete_photo(photo_id: str) -> tuple[str, int]:
    """Delete a photo and all its files: 204, then GET gives 404. Only its owner may."""
    photo = operations.find_own_photo(photo_id, "delete it")
    operations.delete_photo(photo)
    return "", 204


@bp.post("/photos/<photo_id>/retry")
@retry_limit
def retry_photo(photo_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Queue a FAILED photo again: 202; 409 when it is not FAILED. Only its owner may."""
    photo = operations.retry_photo(operations.find_own_photo(photo_id, "retry it"))
    location = url_for("api.get_photo", photo_id=photo.photo_id)
    return operations.photo_answer(photo), 202, {"Location": location}


@bp.get("/jobs")
def jobs() -> dict[str, Any]:
    """Queue depth, workers, counts per status, throughput, processing times, recent failures."""
    return current_overview()


@bp.post("/jobs/retry-failed")
@retry_limit
def retry_failed() -> tuple[dict[str, int], int]:
    """Queue every FAILED photo of the signed-in account again."""
    owner = require_user("retry your failed photos")
    return {"retried": operations.retry_all_failed(owner_id=owner.sub)}, 202
