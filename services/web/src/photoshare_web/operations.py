"""Photo operations shared by the JSON API and the HTML pages."""

from flask import abort

from photoshare_shared.keys import is_photo_id
from photoshare_shared.photo import Photo
from photoshare_web.services import services


def find_photo(photo_id: str) -> Photo:
    """The photo with this id, or a 404."""
    photo = services().catalog.get(photo_id=photo_id) if is_photo_id(photo_id) else None
    if photo is None:
        abort(404, description="There is no photo with this id (it may have been deleted).")
    return photo


def delete_photo(photo_id: str) -> None:
    """Remove the item first, then the objects, so a running job cannot resurrect the photo."""
    services().catalog.delete(photo_id=photo_id)
    services().store.delete_photo(photo_id=photo_id)
