"""Album pages: one's albums, one album's photos, and the forms that change them."""

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from photoshare_web import sharing
from photoshare_web.accounts.current import require_user
from photoshare_web.current_backends import current_backends
from photoshare_web.errors import HttpError

bp = Blueprint("albums", __name__)

# Where a form that adds photos may send one back: "My photos" or a photo page, nowhere else.
_BACK = re.compile(r"/(mine|photos/[0-9A-HJKMNP-TV-Z]{26})")


@bp.get("/albums")
def albums_page() -> str:
    """One's albums, newest first, and a form to make one."""
    owner = require_user("see your albums")
    albums = sharing.own_page(current_backends().albums, sharing.album_json, owner.sub, limit=100)
    return render_template("albums.html", albums=albums["items"])


@bp.post("/albums")
def create() -> Response:
    owner = require_user("make albums")
    title, description = sharing.album_words(
        request.form.get("title"), request.form.get("description", ""), title_required=True
    )
    album = current_backends().albums.create(owner_id=owner.sub, title=title or "", description=description or "")
    flash(f"Album “{album.title}” made.")
    return redirect(url_for("albums.album_page", album_id=album.album_id), code=303)


@bp.get("/albums/<album_id>")
def album_page(album_id: str) -> str:
    """One's album: its cover, its photos newest first, and its forms."""
    album = sharing.find_own_album(album_id, "see your albums")
    page = sharing.album_page(
        album, cursor=request.args.get("cursor") or None, limit=current_backends().settings.page_size
    )
    return render_template("album.html", album=page, paged=bool(request.args.get("cursor")))


@bp.post("/albums/<album_id>/edit")
def edit(album_id: str) -> Response:
    album = sharing.find_own_album(album_id, "change your albums")
    title, description = sharing.album_words(
        request.form.get("title"), request.form.get("description", ""), title_required=True
    )
    current_backends().albums.describe(album, title=title, description=description)
    flash("Album saved.")
    return redirect(url_for("albums.album_page", album_id=album.album_id), code=303)


@bp.post("/albums/<album_id>/delete")
def delete(album_id: str) -> Response:
    album = sharing.find_own_album(album_id, "delete your albums")
    current_backends().albums.delete(album_id=album.album_id)
    flash(f"Deleted the album “{album.title}”; its photos are still in My photos.")
    return redirect(url_for("albums.albums_page"), code=303)


@bp.post("/albums/add-photos")
def add_photos_form() -> Response:
    """Add the photos chosen on "My photos" (or the one on a photo page) to one of one's albums."""
    album = sharing.find_own_album(request.form.get("album_id", ""), "change your albums")
    photo_ids = request.form.getlist("photo_ids")
    if not photo_ids:
        raise HttpError(400, "Select at least one photo first.")
    added = sharing.add_photos(album, photo_ids)
    flash(f"Added {added} photo(s) to “{album.title}”.")
    back = request.form.get("next", "")
    if _BACK.fullmatch(back):
        return redirect(back, code=303)
    return redirect(url_for("albums.album_page", album_id=album.album_id), code=303)


@bp.post("/albums/<album_id>/photos/<photo_id>/remove")
def remove_photo(album_id: str, photo_id: str) -> Response:
    album = sharing.find_own_album(album_id, "change your albums")
    current_backends().albums.remove_photo(album_id=album.album_id, photo_id=photo_id)
    flash("Removed from the album (the photo is still in My photos).")
    return redirect(url_for("albums.album_page", album_id=album.album_id), code=303)
