"""Server-rendered pages for people: gallery, upload form, photo page, delete confirmation."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from photoshare_shared.catalog.cursor import InvalidCursor
from photoshare_shared.imageformats import ACCEPTED_NAMES
from photoshare_web import operations
from photoshare_web.accounts.current import require_user
from photoshare_web.current_backends import current_backends
from photoshare_web.errors import HttpError
from photoshare_web.jobs_overview import current_overview
from photoshare_web.ratelimit import retry_limit, upload_limit
from photoshare_web.requestinput import chosen_visibility
from photoshare_web.serialize import photo_json
from photoshare_web.uploads import accept_request_upload

bp = Blueprint("pages", __name__)


@bp.get("/")
def gallery() -> str:
    """Everyone's photos as thumbnail tiles, newest first, one page at a time."""
    return _gallery_page(owner_id=None)


@bp.get("/mine")
def my_photos() -> str:
    """The signed-in person's own photos."""
    return _gallery_page(owner_id=require_user("see your photos").sub)


def _gallery_page(*, owner_id: str | None) -> str:
    cursor = request.args.get("cursor") or None
    try:
        page = current_backends().catalog.page(
            limit=current_backends().settings.page_size, cursor=cursor, owner_id=owner_id
        )
    except InvalidCursor as error:
        raise HttpError(400, "That page link is not valid; start again from the first page.") from error
    photos = [operations.photo_answer(photo) for photo in page.photos]
    mine = owner_id is not None
    return render_template(
        "gallery.html",
        photos=photos,
        mine=mine,
        albums=current_backends().albums.own(owner_id=owner_id, limit=100)[0] if mine else [],
        default_visibility=current_backends().preferences.default_visibility(owner_id).value if mine else None,
        next_cursor=page.next_cursor,
        paged=bool(cursor),
        max_mb=current_backends().settings.max_upload_mb,
        accepted_names=ACCEPTED_NAMES,
    )


@bp.get("/upload")
def upload_form() -> str:
    """The upload form."""
    require_user("upload photos")
    return _upload_page()


@bp.post("/upload")
@upload_limit
def upload() -> Response | tuple[str, int]:
    """Accept the form's file, then show the new photo's page."""
    owner = require_user("upload photos")
    try:
        landed = accept_request_upload(owner)
    except HttpError as refusal:
        return _upload_page(error=refusal.message), refusal.status
    photo = landed.photo
    if landed.duplicate:
        flash(f"“{photo.filename}” is already in your photos.")
    else:
        flash(f"Uploaded “{photo.filename}”; thumbnails are on their way.")
    return redirect(url_for("pages.photo_page", photo_id=photo.photo_id), code=303)


def _upload_page(error: str | None = None) -> str:
    return render_template(
        "upload.html",
        max_mb=current_backends().settings.max_upload_mb,
        accepted_names=ACCEPTED_NAMES,
        error=error,
        default_visibility=current_backends().preferences.default_visibility(require_user("upload photos").sub).value,
    )


@bp.get("/photos/<photo_id>")
def photo_page(photo_id: str) -> str:
    """Large preview, metadata, download and delete."""
    found = operations.find_photo(photo_id)
    newer, older = current_backends().catalog.neighbours(photo=found)
    sight = operations.sight(found)
    photo = photo_json(found, current_backends().store, sight)
    return render_template(
        "photo.html",
        photo=photo,
        yours=sight.owner,
        albums=current_backends().albums.own(owner_id=found.owner_id, limit=100)[0]
        if sight.owner and found.owner_id
        else [],
        newer_id=newer.photo_id if newer else None,
        older_id=older.photo_id if older else None,
    )


@bp.get("/photos/<photo_id>/original")
def download_original(photo_id: str) -> Response:
    """The original file, streamed from S3 as an attachment (never rendered inline)."""
    photo = operations.find_photo(photo_id)
    return operations.send_original(photo, operations.sight(photo))


@bp.post("/photos/<photo_id>/sharing")
def change_sharing(photo_id: str) -> Response:
    """The owner's choices from the photo page's form: visibility, location, download."""
    photo = operations.find_own_photo(photo_id, "change who sees it")
    operations.change_sharing(
        photo,
        visibility=chosen_visibility(request.form.get("visibility"), "Choose private or public."),
        share_location=request.form.get("share_location") == "on",
        allow_download=request.form.get("allow_download") == "on",
    )
    flash("Sharing settings saved.")
    return redirect(url_for("pages.photo_page", photo_id=photo.photo_id), code=303)


@bp.post("/account/default-visibility")
def change_default_visibility() -> Response:
    """Who sees one's new uploads unless the upload says otherwise."""
    owner = require_user("change your preferences")
    visibility = chosen_visibility(request.form.get("default_visibility"), "Choose private or public.")
    current_backends().preferences.set_default_visibility(owner.sub, visibility)
    flash(f"New uploads will be {visibility.value}.")
    return redirect(url_for("pages.my_photos"), code=303)


@bp.get("/photos/<photo_id>/delete")
def confirm_delete(photo_id: str) -> str:
    """Ask before deleting (works without JavaScript)."""
    found = operations.find_own_photo(photo_id, "delete it")
    photo = operations.photo_answer(found)
    return render_template("confirm_delete.html", photo=photo)


@bp.post("/photos/<photo_id>/delete")
def delete(photo_id: str) -> Response:
    """Delete the photo and all its files, then go back to your photos."""
    photo = operations.find_own_photo(photo_id, "delete it")
    operations.delete_photo(photo)
    flash(f"Deleted “{photo.filename}”.")
    return redirect(url_for("pages.my_photos"), code=303)


@bp.post("/photos/<photo_id>/retry")
@retry_limit
def retry(photo_id: str) -> Response:
    """Queue a failed photo again and show its page."""
    photo = operations.retry_photo(operations.find_own_photo(photo_id, "retry it"))
    flash(f"“{photo.filename}” is queued again.")
    return redirect(url_for("pages.photo_page", photo_id=photo.photo_id), code=303)


@bp.get("/jobs")
def jobs() -> str:
    """The operator's view of the queue and the workers."""
    return render_template("jobs.html", jobs=current_overview())


@bp.post("/jobs/retry-failed")
@retry_limit
def retry_failed() -> Response:
    """Queue every failed photo of the signed-in person again."""
    owner = require_user("retry your failed photos")
    flash(f"Queued {operations.retry_all_failed(owner_id=owner.sub)} of your failed photo(s) again.")
    return redirect(url_for("pages.jobs"), code=303)
