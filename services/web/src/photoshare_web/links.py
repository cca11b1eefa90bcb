"""Share-link pages: the anonymous link page and its images, and one's "Shared links".

Images seen through a link never leave as S3 URLs: they are served here, each request checked
against the link (as this process read it at most PHOTOSHARE_SHARE_CHECK_CACHE_S ago), with an
ETag and a short max-age, so a browser coming back revalidates (304, nothing re-sent) and a
revoked link's images stop within that bound plus the max-age (docs/sharing.md).
"""

from botocore.exceptions import ClientError
from flask import Blueprint, flash, make_response, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from photoshare_shared.imageformats import THUMBNAIL_SPECS
from photoshare_shared.keys import thumbnail_key
from photoshare_web import operations, sharing
from photoshare_web.access import through_link
from photoshare_web.accounts.current import require_user
from photoshare_web.current_backends import current_backends
from photoshare_web.errors import HttpError
from photoshare_web.ratelimit import share_password_limits

bp = Blueprint("links", __name__)

_SPECS = {spec.name: spec for spec in THUMBNAIL_SPECS}


@bp.get("/s/<token>")
def link_page(token: str) -> str | tuple[str, int]:
    """What the link covers, for anyone holding it; its password first when it has one."""
    link = sharing.open_link(token)
    if not sharing.unlocked(link):
        return render_template("link_password.html", token=token, error=None)
    cursor = request.args.get("cursor") or None
    content = sharing.link_content(link, cursor=cursor, limit=current_backends().settings.page_size)
    if cursor is None:
        current_backends().links.count_view(link_id=link.link_id)
    return render_template("link.html", token=token, link=link, album=content.album, answer=content.answer)


@bp.post("/s/<token>")
@share_password_limits
def unlock(token: str) -> Response | tuple[str, int]:
    """The password form of a link's page: 401 and the form again when wrong."""
    link = sharing.open_link(token)
    if not sharing.unlock(link, request.form.get("password", "")):
        return render_template("link_password.html", token=token, error="That password is not right."), 401
    return redirect(url_for("links.link_page", token=token), code=303)


@bp.get("/s/<token>/photos/<photo_id>/<size>")
def thumbnail(token: str, photo_id: str, size: str) -> Response:
    """One thumbnail of a photo the link covers, checked against the link on every request."""
    link = sharing.checked_link(token)
    spec = _SPECS.get(size)
    if spec is None or not sharing.unlocked(link) or not sharing.covers(link, photo_id):
        raise HttpError(404, "This link has no such image.")
    # Thumbnails never change under their key, so the key names the content.
    etag = f"{photo_id}-{spec.name}"
    max_age = current_backends().settings.share_check_cache_s
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        try:
            body = current_backends().store.open_thumbnail(thumbnail_key(photo_id, spec))
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                raise
            raise HttpError(404, "This image is not ready yet, or was deleted.") from error
        response = send_file(body, mimetype=spec.content_type, conditional=False, etag=False)
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"private, max-age={max_age}, must-revalidate"
    return response


@bp.get("/s/<token>/photos/<photo_id>/original")
def original(token: str, photo_id: str) -> Response:
    """The original of a photo the link covers, when the link allows downloads; without its
    location unless the link shows locations."""
    link = sharing.checked_link(token)
    if not sharing.unlocked(link) or not sharing.covers(link, photo_id):
        raise HttpError(404, "This link has no such photo.")
    photo = operations.find_any_photo(photo_id)
    if photo is None:
        raise HttpError(404, "This link has no such photo.")
    return operations.send_original(photo, through_link(link))


@bp.get("/shares")
def shares_page() -> str:
    """One's share links with their view counts, newest first."""
    owner = require_user("see your share links")
    links = sharing.own_page(current_backends().links, sharing.link_json, owner.sub, limit=100)
    return render_template("shares.html", links=links["items"])


@bp.post("/shares")
def create_form() -> Response:
    """Make a link from an album page's or a photo page's form, then show it in "Shared links"."""
    link = sharing.create_link(
        album_id=request.form.get("album_id") or None,
        photo_id=request.form.get("photo_id") or None,
        expires_at=request.form.get("expires_at") or None,
        password=request.form.get("password") or None,
        allow_download=request.form.get("allow_download") == "on",
        show_location=request.form.get("show_location") == "on",
    )
    flash("Share link made: copy it from the list below.")
    return redirect(url_for("links.shares_page", made=link.link_id), code=303)


@bp.post("/shares/<link_id>/revoke")
def revoke(link_id: str) -> Response:
    link = sharing.find_own_link(link_id)
    current_backends().links.revoke(link_id=link.link_id)
    flash("Link revoked: it no longer opens anything.")
    return redirect(url_for("links.shares_page"), code=303)
