"""The JSON API of albums and share links, and the anonymous `GET /api/s/<token>` (docs/sharing.md)."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, request

from photoshare_shared.catalog.albums import AlbumCatalog
from photoshare_shared.catalog.links import LinkCatalog
from photoshare_web import sharing
from photoshare_web.accounts.current import protect_cookie_writes, require_user
from photoshare_web.current_backends import current_backends
from photoshare_web.errors import HttpError
from photoshare_web.ratelimit import share_password_limits
from photoshare_web.requestinput import bool_field, json_object, query_int

bp = Blueprint("sharing_api", __name__, url_prefix="/api")
bp.before_request(protect_cookie_writes)

MAX_PAGE_SIZE = 100
_ALBUM_BODY = '{"title": ..., "description": ...}'
_SHARE_BODY = (
    '{"album_id"|"photo_id": ..., "expires_at"?: ISO 8601, "password"?: ..., '
    '"allow_download": true|false, "show_location": true|false}'
)


def _limit() -> int:
    return query_int("limit", default=current_backends().settings.page_size, low=1, high=MAX_PAGE_SIZE)


def _own_page(
    catalog: AlbumCatalog | LinkCatalog, to_json: Callable[[Any], dict[str, Any]], action: str
) -> dict[str, Any]:
    """The page of one's albums or links that the query's `limit` and `cursor` ask for (401 comes first)."""
    owner = require_user(action)
    return sharing.own_page(catalog, to_json, owner.sub, limit=_limit(), cursor=request.args.get("cursor") or None)


@bp.post("/albums")
def create_album() -> tuple[dict[str, Any], int]:
    """A new, empty album of one's own: 201."""
    owner = require_user("make albums")
    body = json_object(_ALBUM_BODY)
    title, description = sharing.album_words(body.get("title"), body.get("description"), title_required=True)
    album = current_backends().albums.create(owner_id=owner.sub, title=title or "", description=description or "")
    return sharing.album_json(album), 201


@bp.get("/albums")
def list_albums() -> dict[str, Any]:
    """One's own albums, newest first."""
    return _own_page(current_backends().albums, sharing.album_json, "list your albums")


@bp.get("/albums/<album_id>")
def get_album(album_id: str) -> dict[str, Any]:
    """One's album with a page of its photos (`items`, `next_cursor`), newest first."""
    album = sharing.find_own_album(album_id, "see your albums")
    return sharing.album_page(album, cursor=request.args.get("cursor") or None, limit=_limit())


@bp.patch("/albums/<album_id>")
def change_album(album_id: str) -> dict[str, Any]:
    """Rename and/or describe one's album."""
    album = sharing.find_own_album(album_id, "change your albums")
    body = json_object(_ALBUM_BODY)
    title, description = sharing.album_words(body.get("title"), body.get("description"), title_required=False)
    return sharing.album_json(current_backends().albums.describe(album, title=title, description=description))


@bp.delete("/albums/<album_id>")
def delete_album(album_id: str) -> tuple[str, int]:
    """Delete one's album (its photos stay): 204."""
    album = sharing.find_own_album(album_id, "delete your albums")
    current_backends().albums.delete(album_id=album.album_id)
    return "", 204


@bp.post("/albums/<album_id>/photos")
def add_album_photos(album_id: str) -> dict[str, Any]:
    """Add one's own photos: {"photo_ids": [...]}; 403 when one is someone else's."""
    album = sharing.find_own_album(album_id, "change your albums")
    added = sharing.add_photos(album, json_object('{"photo_ids": [...]}').get("photo_ids"))
    album = current_backends().albums.get(album_id=album.album_id) or album
    return {**sharing.album_json(album), "added": added}


@bp.delete("/albums/<album_id>/photos/<photo_id>")
def remove_album_photo(album_id: str, photo_id: str) -> tuple[str, int]:
    """Take a photo out of one's album (the photo stays): 204; 404 when it was not in it."""
    album = sharing.find_own_album(album_id, "change your albums")
    if not current_backends().albums.remove_photo(album_id=album.album_id, photo_id=photo_id):
        raise HttpError(404, "That photo is not in this album.")
    return "", 204


@bp.post("/shares")
def create_share() -> tuple[dict[str, Any], int]:
    """A share link to one's album or photo: 201 with its token and URL."""
    require_user("share")
    body = json_object(_SHARE_BODY)
    link = sharing.create_link(
        album_id=body.get("album_id"),
        photo_id=body.get("photo_id"),
        expires_at=body.get("expires_at"),
        password=body.get("password"),
        allow_download=bool(bool_field(body, "allow_download")),
        show_location=bool(bool_field(body, "show_location")),
    )
    return sharing.link_json(link), 201


@bp.get("/shares")
def list_shares() -> dict[str, Any]:
    """One's share links, newest first, with their view counts (revoked and expired ones too)."""
    return _own_page(current_backends().links, sharing.link_json, "list your share links")


@bp.delete("/shares/<link_id>")
def revoke_share(link_id: str) -> tuple[str, int]:
    """Revoke one's link: 204, and from then on the link answers 404."""
    current_backends().links.revoke(link_id=sharing.find_own_link(link_id).link_id)
    return "", 204


@bp.get("/s/<token>")
@share_password_limits
def open_share(token: str) -> tuple[dict[str, Any], int] | dict[str, Any]:
    """What a link covers, for anyone holding it: 401 {"password_required": true} without its
    password (X-Share-Password), 404 unknown, revoked or expired alike."""
    link = sharing.open_link(token)
    if not sharing.unlocked(link):
        return {"error": "This link needs its password (send it as X-Share-Password).", "password_required": True}, 401
    cursor = request.args.get("cursor") or None
    content = sharing.link_content(link, cursor=cursor, limit=_limit())
    if cursor is None:
        current_backends().links.count_view(link_id=link.link_id)
    return {
        **content.answer,
        "link": {
            "expires_at": link.expires_at,
            "allow_download": link.allow_download,
            "show_location": link.show_location,
        },
    }
