"""Accepting one upload: check it, store the original, record it, enqueue its job.

While Redis is down the upload is still accepted: its item records the job as unsent and the
dispatcher sends it once Redis answers (dispatch.py). Only S3 or DynamoDB failing refuses it.
"""

import hashlib
import logging
import os
from typing import IO

from botocore.exceptions import BotoCoreError, ClientError
from flask import request
from werkzeug.datastructures import FileStorage

from photoshare_shared.backends import Backends
from photoshare_shared.keys import new_photo_id
from photoshare_shared.landing import Landed
from photoshare_shared.photo import Photo, Visibility, display_filename, utc_now
from photoshare_web.accounts.tokens import Identity
from photoshare_web.current_backends import current_backends
from photoshare_web.dispatch import JobDispatcher, dispatcher
from photoshare_web.errors import STORAGE_DOWN, HttpError, too_large_message
from photoshare_web.requestinput import chosen_visibility
from photoshare_web.sniff import NotAcceptedImage, inspect_image

log = logging.getLogger(__name__)


def accept_request_upload(owner: Identity) -> Landed:
    """accept_upload for this request: its form field `file` at the visibility the form asks for."""
    return accept_upload(
        request.files.get("file"),
        owner=owner,
        backends=current_backends(),
        jobs=dispatcher(),
        visibility=request.form.get("visibility"),
    )


def accept_upload(
    upload: FileStorage | None,
    *,
    owner: Identity,
    backends: Backends,
    jobs: JobDispatcher,
    visibility: str | None = None,
) -> Landed:
    """Store an accepted image as `owner`'s and enqueue its job (or keep it to send when Redis is
    back), or raise HttpError having kept nothing. The same bytes again name the owner's earlier
    photo. `visibility` is what the upload asked for."""
    if upload is None or (not upload.filename and upload.content_length == 0):
        raise HttpError(400, "No file was sent: attach the photo as the form field 'file'.")
    stream = upload.stream
    size = stream.seek(0, os.SEEK_END)
    if size == 0:
        raise HttpError(400, "The file is empty.")
    if size > backends.settings.max_upload_bytes:
        raise HttpError(413, too_large_message(backends.settings))
    try:
        kind = inspect_image(stream, max_pixels=backends.settings.max_image_pixels)
    except NotAcceptedImage as reason:
        raise HttpError(415, str(reason)) from reason
    sha256 = _sha256(stream)
    duplicate = backends.catalog.find_duplicate(owner_id=owner.sub, sha256=sha256)
    if duplicate is not None:
        return Landed(duplicate, duplicate=True)

    now = utc_now()
    chosen = upload_visibility(visibility, owner=owner, backends=backends)
    photo = Photo(
        photo_id=new_photo_id(),
        filename=display_filename(upload.filename),
        content_type=kind.content_type,
        size_bytes=size,
        created_at=now,
        queued_at=now,
        format=kind.format,
        owner_id=owner.sub,
        owner_name=owner.username,
        visibility=chosen,
        sha256=sha256,
    )
    try:
        backends.store.put_original(photo_id=photo.photo_id, body=stream, content_type=kind.content_type)
        backends.catalog.add(photo=photo)
        jobs.send(photo.photo_id, new=True)
    except (BotoCoreError, ClientError) as error:
        # Neither in Redis nor recorded as unsent: nobody would process it, so keep nothing.
        log.exception("upload %s: storage failed", photo.photo_id)
        _forget(photo.photo_id, backends)
        raise HttpError(503, STORAGE_DOWN) from error
    return Landed(photo, created=True)


def upload_visibility(requested: str | None, *, owner: Identity, backends: Backends) -> Visibility:
    """Who will see a new photo: what the upload asked for (`private` or `public`), else the
    account's default, else the site's. Every way of uploading goes through here."""
    if requested:
        return chosen_visibility(requested, "visibility must be 'private' or 'public'.")
    return backends.preferences.default_visibility(owner.sub)


def _sha256(stream: IO[bytes]) -> str:
    """The upload's checksum, read from the spooled file (about 2 ms a megabyte)."""
    stream.seek(0)
    digest = hashlib.file_digest(stream, "sha256").hexdigest()
    stream.seek(0)
    return digest


def _forget(photo_id: str, backends: Backends) -> None:
    """Best-effort removal of a half-accepted upload."""
    try:
        backends.catalog.delete(photo_id=photo_id)
        backends.store.delete_photo(photo_id=photo_id)
    except (BotoCoreError, ClientError):
        log.exception("upload %s: cleanup failed", photo_id)
