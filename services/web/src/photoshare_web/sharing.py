"""Album and share-link operations shared by the JSON API and the pages (docs/sharing.md)."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from photoshare_shared.catalog.albums import MAX_PAGE, Album, AlbumCatalog
from photoshare_shared.catalog.cursor import InvalidCursor
from photoshare_shared.catalog.links import LinkCatalog, ShareLink, link_id_of, new_token
from photoshare_shared.imageformats import SMALL
from photoshare_shared.keys import is_photo_id, thumbnail_key
from photoshare_shared.photo import Photo, iso_utc, utc_now
from photoshare_web import operations
from photoshare_web.access import through_link
from photoshare_web.accounts.current import require_user
from photoshare_web.current_backends import current_backends
from photoshare_web.errors import BAD_CURSOR, HttpError
from photoshare_web.serialize import photo_json, site_link

MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 2000
MAX_PASSWORD_CHARS = 200
MAX_PHOTOS_PER_ADD = 100
_UNLOCKED = "share_unlocked"  # session: ids of the password links this browser opened
_MAX_UNLOCKED = 50
NO_SUCH_LINK = "This link does not exist, was revoked or has expired."
_clock = time.monotonic  # the link caches' clock (tests move it)


def own_page(
    catalog: AlbumCatalog | LinkCatalog,
    to_json: Callable[[Any], dict[str, Any]],
    owner_id: str,
    *,
    limit: int,
    cursor: str | None = None,
) -> dict[str, Any]:
    """A page of one's albums or links (`catalog`), newest first, each as `to_json` makes it:
    {"items", "next_cursor"}; 400 for a bad cursor."""
    try:
        found, next_cursor = catalog.own(owner_id=owner_id, limit=limit, cursor=cursor)
    except InvalidCursor as error:
        raise HttpError(400, BAD_CURSOR) from error
    return {"items": [to_json(item) for item in found], "next_cursor": next_cursor}


# Albums


def find_own_album(album_id: str, action: str) -> Album:
    """The signed-in person's album: 401 anonymous, 404 missing or another's (albums are private)."""
    user = require_user(action)
    album = current_backends().albums.get(album_id=album_id) if is_photo_id(album_id) else None
    if album is None or not album.is_owned_by(user.sub):
        raise HttpError(404, "There is no album with this id (it may have been deleted).")
    return album


def album_words(title: Any, description: Any, *, title_required: bool) -> tuple[str | None, str | None]:
    """A title and a description checked as display text: 400 when bad."""
    if title is None:
        if title_required:
            raise HttpError(400, "An album needs a title.")
    elif not isinstance(title, str) or not title.strip() or len(title.strip()) > MAX_TITLE_CHARS:
        raise HttpError(400, f"The title must be text of 1 to {MAX_TITLE_CHARS} characters.")
    if description is not None and (not isinstance(description, str) or len(description) > MAX_DESCRIPTION_CHARS):
        raise HttpError(400, f"The description must be text of at most {MAX_DESCRIPTION_CHARS} characters.")
    return (title.strip() if isinstance(title, str) else None), description


def add_photos(album: Album, photo_ids: Any) -> int:
    """Add some of one's own photos to one's album: 400 bad list, 404 missing, 403 another's."""
    if (
        not isinstance(photo_ids, list)
        or not photo_ids
        or len(photo_ids) > MAX_PHOTOS_PER_ADD
        or not all(isinstance(i, str) and is_photo_id(i) for i in photo_ids)
    ):
        raise HttpError(400, f"photo_ids must be a list of 1 to {MAX_PHOTOS_PER_ADD} photo ids.")
    photos: list[Photo] = []
    for photo_id in dict.fromkeys(photo_ids):
        photo = operations.find_any_photo(photo_id)
        if photo is None:
            raise HttpError(404, f"There is no photo {photo_id} (it may have been deleted).")
        if not photo.is_owned_by(album.owner_id):
            raise HttpError(403, "Only your own photos can go in your albums.")
        photos.append(photo)
    return current_backends().albums.add_photos(album, photos)


def album_json(album: Album, *, link: ShareLink | None = None) -> dict[str, Any]:
    """An album's words, size and cover (the newest photo's small thumbnail)."""
    cover = None
    if album.cover_photo_id:
        if link is None:
            url = current_backends().store.thumbnail_url(thumbnail_key(album.cover_photo_id, SMALL))
        else:
            url = site_link("links.thumbnail", token=link.token, photo_id=album.cover_photo_id, size="small")
        cover = {"photo_id": album.cover_photo_id, "url": url}
    answer = {
        "id": album.album_id,
        "title": album.title,
        "description": album.description,
        "photo_count": album.photo_count,
        "cover": cover,
        "created_at": album.created_at,
    }
    if link is None:
        answer["url"] = site_link("albums.album_page", album_id=album.album_id)
    return answer


def album_page(album: Album, *, cursor: str | None, limit: int, link: ShareLink | None = None) -> dict[str, Any]:
    """The album JSON with one page of its photos, newest first, as the owner or a link sees them."""
    try:
        page = current_backends().albums.page(album_id=album.album_id, limit=min(limit, MAX_PAGE), cursor=cursor)
    except InvalidCursor as error:
        raise HttpError(400, BAD_CURSOR) from error
    store = current_backends().store
    items = [photo_json(p, store, through_link(link) if link else operations.sight(p)) for p in page.photos]
    return {**album_json(album, link=link), "items": items, "next_cursor": page.next_cursor}


# Share links


def create_link(
    *,
    album_id: Any,
    photo_id: Any,
    expires_at: Any,
    password: Any,
    allow_download: bool,
    show_location: bool,
) -> ShareLink:
    """A new link to one's own album or photo; 400 for a bad field, 404 for a missing target."""
    owner = require_user("share")
    if (album_id is None) == (photo_id is None):
        raise HttpError(400, "Share either an album (album_id) or a photo (photo_id).")
    if album_id is not None:
        find_own_album(str(album_id), "share it")
    else:
        operations.find_own_photo(str(photo_id), "share it")
    if password is not None and (not isinstance(password, str) or not 1 <= len(password) <= MAX_PASSWORD_CHARS):
        raise HttpError(400, f"The password must be text of 1 to {MAX_PASSWORD_CHARS} characters.")
    token = new_token()
    link = ShareLink(
        link_id=link_id_of(token),
        token=token,
        owner_id=owner.sub,
        album_id=str(album_id) if album_id is not None else None,
        photo_id=str(photo_id) if photo_id is not None else None,
        created_at=utc_now(),
        expires_at=_future_time(expires_at),
        password_hash=generate_password_hash(password) if password else None,
        allow_download=allow_download,
        show_location=show_location,
    )
    current_backends().links.create(link)
    return link


def _future_time(value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise HttpError(400, "expires_at must be an ISO 8601 time, e.g. 2026-12-31T23:00:00Z.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a time without a zone is UTC
    if moment <= datetime.now(UTC):
        raise HttpError(400, "expires_at must be in the future.")
    return iso_utc(moment)


def find_own_link(link_id: str) -> ShareLink:
    """The signed-in person's link, live or not; 404 otherwise."""
    user = require_user("manage your share links")
    link = current_backends().links.get(link_id=link_id) if len(link_id) == 32 and link_id.isalnum() else None
    if link is None or not link.is_owned_by(user.sub):
        raise HttpError(404, "There is no share link with this id.")
    return link


def link_json(link: ShareLink) -> dict[str, Any]:
    """A link as its owner sees it (the token included: they may copy it again)."""
    return {
        "id": link.link_id,
        "token": link.token,
        "url": site_link("links.link_page", token=link.token),
        "album_id": link.album_id,
        "photo_id": link.photo_id,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "password": link.password_hash is not None,
        "allow_download": link.allow_download,
        "show_location": link.show_location,
        "views": link.views,
        "revoked_at": link.revoked_at,
        "live": link.is_live(),
    }


def open_link(token: str) -> ShareLink:
    """The live link of this token, read now; 404 for unknown, revoked and expired alike."""
    link = current_backends().links.open(token) if 16 <= len(token) <= 64 else None
    if link is None:
        raise HttpError(404, NO_SUCH_LINK)
    return link


def checked_link(token: str) -> ShareLink:
    """The live link of this token as this web process last read it, at most
    PHOTOSHARE_SHARE_CHECK_CACHE_S ago (image requests: one GetItem per link per window)."""
    ttl = current_backends().settings.share_check_cache_s
    cache: dict[str, tuple[float, ShareLink | None]] = current_app.extensions.setdefault("photoshare.links", {})
    now = _clock()
    seen = cache.get(token)
    if seen is None or now - seen[0] >= ttl:
        link = current_backends().links.open(token) if 16 <= len(token) <= 64 else None
        if len(cache) > 10_000:
            cache.clear()
        seen = cache[token] = (now, link)
    link = seen[1]
    if link is None or not link.is_live():
        raise HttpError(404, NO_SUCH_LINK)
    return link


def unlocked(link: ShareLink) -> bool:
    """Whether the asker may see a password link: the password in X-Share-Password, or this
    browser gave it on the link's page."""
    if link.password_hash is None:
        return True
    if link.link_id in session.get(_UNLOCKED, []):
        return True
    given = request.headers.get("X-Share-Password")
    return bool(given) and check_password_hash(link.password_hash, given)


def unlock(link: ShareLink, password: str) -> bool:
    """Check a password typed on the link's page; remember the link in this browser's session."""
    if (
        link.password_hash is None
        or not password
        or not check_password_hash(link.password_hash, password[:MAX_PASSWORD_CHARS])
    ):
        return False
    session[_UNLOCKED] = [*session.get(_UNLOCKED, [])[-(_MAX_UNLOCKED - 1) :], link.link_id]
    return True


def covers(link: ShareLink, photo_id: str) -> bool:
    """Whether the link opens this photo (for album links: one cached GetItem on the membership)."""
    if link.photo_id is not None:
        return link.photo_id == photo_id
    if link.album_id is None or not is_photo_id(photo_id):
        return False
    ttl = current_backends().settings.share_check_cache_s
    cache: dict[tuple[str, str], tuple[float, bool]] = current_app.extensions.setdefault("photoshare.members", {})
    now, key = _clock(), (link.album_id, photo_id)
    seen = cache.get(key)
    if seen is None or now - seen[0] >= ttl:
        if len(cache) > 50_000:
            cache.clear()
        seen = cache[key] = (now, current_backends().albums.contains(album_id=link.album_id, photo_id=photo_id))
    return seen[1]


@dataclass(frozen=True)
class LinkContent:
    """What a link shows: an album with a page of photos, or one photo."""

    album: Album | None
    answer: dict[str, Any]


def link_content(link: ShareLink, *, cursor: str | None, limit: int) -> LinkContent:
    """The link's album page or photo, in the photo JSON a link's holder gets; 404 when gone."""
    if link.album_id is not None:
        album = current_backends().albums.get(album_id=link.album_id)
        if album is None:
            raise HttpError(404, NO_SUCH_LINK)
        return LinkContent(album, album_page(album, cursor=cursor, limit=limit, link=link))
    photo = operations.find_any_photo(link.photo_id or "")
    if photo is None:
        raise HttpError(404, NO_SUCH_LINK)
    item = photo_json(photo, current_backends().store, through_link(link))
    return LinkContent(None, {"items": [item], "next_cursor": None})
