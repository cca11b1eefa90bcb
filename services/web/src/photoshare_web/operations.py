"""Photo operations shared by the JSON API and the HTML pages."""

import io
from typing import Any

from flask import Response, send_file

from photoshare_shared.keys import is_photo_id
from photoshare_shared.photo import Photo, Status, Visibility
from photoshare_web.access import Sight, can_see, sight_of
from photoshare_web.accounts.current import current_user, require_user
from photoshare_web.current_backends import current_backends
from photoshare_web.dispatch import dispatcher
from photoshare_web.errors import HttpError
from photoshare_web.locationstrip import LocationNotRemovable, without_location
from photoshare_web.serialize import photo_json

_RETRY_ALL_BATCH = 500


def viewer_id() -> str | None:
    """The signed-in account's id, None when anonymous."""
    user = current_user()
    return user.sub if user else None


def find_photo(photo_id: str) -> Photo:
    """The photo with this id if the asker may see it, else a 404 (a private photo of someone
    else's gets the same answer as a missing one: its existence is private too)."""
    photo = find_any_photo(photo_id)
    if photo is None or not can_see(photo, viewer_id()):
        raise HttpError(404, "There is no photo with this id (it may have been deleted).")
    return photo


def find_any_photo(photo_id: str) -> Photo | None:
    """The photo with this id whoever owns it, or None (for callers that check access themselves)."""
    return current_backends().catalog.get(photo_id=photo_id) if is_photo_id(photo_id) else None


def sight(photo: Photo) -> Sight:
    """What the asker gets of a photo they can see."""
    return sight_of(photo, viewer_id())


def photo_answer(photo: Photo) -> dict[str, Any]:
    """The photo's JSON as the asker may see it."""
    return photo_json(photo, current_backends().store, sight(photo))


def find_own_photo(photo_id: str, action: str) -> Photo:
    """The signed-in person's own photo: 401 when anonymous, 404 when missing, 403 when another's."""
    user = require_user(action)
    photo = find_photo(photo_id)
    if not photo.is_owned_by(user.sub):
        raise HttpError(403, f"Only the person who uploaded this photo can {action}.")
    return photo


def delete_photo(photo: Photo) -> None:
    """Remove the item first, then the objects, so a running job cannot resurrect the photo; then
    take it out of its albums."""
    current_backends().catalog.delete(photo_id=photo.photo_id)
    current_backends().store.delete_photo(photo_id=photo.photo_id)
    current_backends().albums.forget_photo(photo)


def change_sharing(
    photo: Photo, *, visibility: Visibility | None, share_location: bool | None, allow_download: bool | None
) -> Photo:
    """The owner's choices for a photo (None: unchanged); the photo as it is now."""
    changed = current_backends().catalog.update_sharing(
        photo_id=photo.photo_id, visibility=visibility, share_location=share_location, allow_download=allow_download
    )
    if changed is None:
        raise HttpError(404, "There is no photo with this id (it may have been deleted).")
    return changed


def send_original(photo: Photo, sight: Sight) -> Response:
    """The original as an attachment (never rendered inline), as `sight` allows: refused unless it
    may be downloaded, and without its position unless that is shared."""
    if not sight.download:
        raise HttpError(403, "The owner of this photo has not allowed downloading its original.")
    body = current_backends().store.open_original(photo_id=photo.photo_id)
    size = photo.size_bytes
    if not sight.location:
        try:
            # Read whole (at most the upload limit) to rewrite; the pixels are copied untouched.
            body = io.BytesIO(without_location(body.read(), photo.content_type))
        except LocationNotRemovable as reason:
            raise HttpError(
                409, f"This original cannot be downloaded without its location ({reason}); ask its owner."
            ) from reason
        size = body.getbuffer().nbytes
    response = send_file(
        body,
        mimetype=photo.content_type,
        as_attachment=True,
        download_name=photo.download_name,
        conditional=False,
        etag=False,
    )
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "private, no-transform"
    return response


def retry_photo(photo: Photo) -> Photo:
    """Queue a FAILED photo again, its job sent when Redis answers (like an upload's); 409 for any
    other status, or once it was retried the most times allowed."""
    max_retries = current_backends().settings.max_retries
    requeued = current_backends().catalog.requeue_failed(photo_id=photo.photo_id, max_retries=max_retries)
    if requeued is None:
        current = current_backends().catalog.get(photo_id=photo.photo_id) or photo
        if current.status is not Status.FAILED:
            raise HttpError(409, f"Only a FAILED photo can be retried; this one is {current.status.value}.")
        raise HttpError(
            409, f"This photo was retried {current.retries} times, the most allowed: it is not queued again."
        )
    dispatcher().send(requeued.photo_id)
    return requeued


def retry_all_failed(*, owner_id: str) -> int:
    """Queue every FAILED photo of one owner again (up to a batch, skipping those retried the most
    times allowed); returns how many."""
    count = 0
    max_retries = current_backends().settings.max_retries
    for photo in current_backends().attention.newest(status=Status.FAILED, limit=_RETRY_ALL_BATCH, owner_id=owner_id):
        if current_backends().catalog.requeue_failed(photo_id=photo.photo_id, max_retries=max_retries):
            dispatcher().send(photo.photo_id)
            count += 1
    return count
