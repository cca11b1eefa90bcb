"""Objects that arrive in the upload prefix without a person choosing anything: a bucket event, an import."""

from photoshare_shared.backends import Backends
from photoshare_shared.landing import Landed, Owner, land


def land_arrival(key: str, *, owner: Owner, backends: Backends) -> Landed:
    """Land the object at `key` as `owner`'s photo, seen as the account's default says (else the
    site's), its bytes hashed here when the writer declared no checksum; a new photo's job is sent.

    Raises landing.NotLanded when the object cannot become a photo.
    """
    landed = land(
        key,
        owner=owner,
        area=backends.uploads,
        catalog=backends.catalog,
        settings=backends.settings,
        visibility=backends.preferences.default_visibility(owner.sub),
        hash_undeclared=True,
    )
    if landed.created:
        backends.send_new_photo(landed.photo.photo_id)
    return landed
