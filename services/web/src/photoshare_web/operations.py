"""Photo operations shared by the JSON API and the HTML pages."""

from photoshare_shared.keys import is_photo_id
from photoshare_shared.photo import Photo, Status
from photoshare_web.accounts.current import require_user
from photoshare_web.current_backends import current_backends
from photoshare_web.dispatch import dispatcher
from photoshare_web.errors import HttpError

_RETRY_ALL_BATCH = 500


def find_photo(photo_id: str) -> Photo:
    """The photo with this id, or a 404."""
    photo = current_backends().catalog.get(photo_id=photo_id) if is_photo_id(photo_id) else None
    if photo is None:
        raise HttpError(404, "There is no photo with this id (it may have been deleted).")
    return photo


def find_own_photo(photo_id: str, action: str) -> Photo:
    """The signed-in person's own photo: 401 when anonymous, 404 when missing, 403 when another's."""
    user = require_user(action)
    photo = find_photo(photo_id)
    if not photo.is_owned_by(user.sub):
        raise HttpError(403, f"Only the person who uploaded this photo can {action}.")
    return photo


def delete_photo(photo_id: str) -> None:
    """Remove the item first, then the objects, so a running job cannot resurrect the photo."""
    current_backends().catalog.delete(photo_id=photo_id)
    current_backends().store.delete_photo(photo_id=photo_id)


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
