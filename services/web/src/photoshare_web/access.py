"""Who may see what of a photo: the one place the sharing rules are decided (docs/sharing.md).

A viewer is the photo's owner, another person (signed in or not), or whoever holds a share link.
"""

from dataclasses import dataclass

from photoshare_shared.catalog.links import ShareLink
from photoshare_shared.photo import Photo, Visibility


@dataclass(frozen=True)
class Sight:
    """What one viewer gets of one photo."""

    owner: bool
    location: bool  # the GPS position, in JSON, on pages and inside the original
    download: bool  # the original file
    link: ShareLink | None = None  # seen through this link: image URLs go through it


def can_see(photo: Photo, viewer_id: str | None) -> bool:
    """Public photos are everyone's to see; private ones only their owner's."""
    return photo.visibility is Visibility.PUBLIC or photo.is_owned_by(viewer_id)


def sight_of(photo: Photo, viewer_id: str | None) -> Sight:
    """What a person (None: anonymous) who can see the photo gets of it."""
    owner = photo.is_owned_by(viewer_id)
    return Sight(owner=owner, location=owner or photo.share_location, download=owner or photo.allow_download)


def through_link(link: ShareLink) -> Sight:
    """What a link's holder gets: the owner chose both switches when making the link."""
    return Sight(owner=False, location=link.show_location, download=link.allow_download, link=link)
