"""Processing one photo: the plain function behind the Celery task."""

import hashlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from functools import cache

from botocore.exceptions import ClientError

from photoshare_shared.catalog.item import content_key
from photoshare_shared.catalog.photos import PhotoCatalog
from photoshare_shared.imageformats import ACCEPTED_FORMATS
from photoshare_shared.photo import ProcessingResult, Thumbnail
from photoshare_shared.settings import Settings
from photoshare_shared.store import PhotoStore
from photoshare_worker.imaging import Derivative, UndecodableImage, render_photo
from photoshare_worker.metadata import extract_metadata

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """How one run of the job ended."""

    READY = "ready"
    FAILED = "failed"
    SKIPPED = "skipped"  # deleted, or already finished by an earlier run
    DELETED_MEANWHILE = "deleted-meanwhile"


def run_photo_job(
    photo_id: str, *, store: PhotoStore, catalog: PhotoCatalog, settings: Settings, job_id: str | None = None
) -> Outcome:
    """Make the thumbnails and metadata of one photo and record the result.

    Safe to run twice and safe against a concurrent delete; with `job_id`, a second job for the
    same photo while the first runs is skipped. Transient AWS errors propagate
    so the task can retry; permanent problems end FAILED with a reason.
    """
    # The original is read while the conditional update runs (two round trips in the time of one);
    # it is only used if the update says there is work to do.
    original = _io().submit(store.read_original, photo_id=photo_id)
    photo = catalog.start_processing(photo_id=photo_id, job_id=job_id)
    if photo is None:
        # Finished already, another job has it, or deleted: then an earlier run cut short may have left thumbnails.
        _remove_leftovers_if_deleted(photo_id, store=store, catalog=catalog)
        return Outcome.SKIPPED
    if photo.attempts > settings.max_attempts:
        return fail(photo_id, gave_up_reason(settings), store=store, catalog=catalog)

    try:
        data = original.result()
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"NoSuchKey", "404"}:
            raise
        return fail(photo_id, "the original file is missing", store=store, catalog=catalog)

    # Beside the render (hashlib and S3 requests let go of the GIL): the checksum, and each
    # thumbnail's upload as soon as it is encoded (the large one while the small one is made).
    checksum = _io().submit(_sha256, data)
    puts: list[tuple[Derivative, Future[str]]] = []

    def store_early(d: Derivative) -> None:
        puts.append((d, _io().submit(store.put_thumbnail, photo_id=photo_id, spec=d.spec, data=d.data)))

    try:
        rendered = render_photo(data, max_pixels=settings.max_image_pixels, on_derivative=store_early)
    except UndecodableImage as reason:
        # Not an accepted image (a direct upload is judged only here): keep no bytes of it.
        for _, put in puts:
            put.result()
        store.delete_photo(photo_id=photo_id)
        return fail(photo_id, str(reason), store=store, catalog=catalog)

    thumbnails = {
        d.spec.name: Thumbnail(key=put.result(), width=d.width, height=d.height, content_type=d.spec.content_type)
        for d, put in puts
    }
    sha256 = checksum.result()
    result = ProcessingResult(
        width=rendered.width,
        height=rendered.height,
        format=rendered.format,
        sha256=sha256,
        exif=extract_metadata(rendered.exif),
        thumbnails=thumbnails,
        average_color=rendered.average_color,
        content_type=ACCEPTED_FORMATS.get(rendered.format),
        content_key=content_key(photo.owner_id, sha256),
    )
    if not catalog.mark_ready(photo_id=photo_id, result=result):
        # Deleted while we worked: remove what we wrote so nothing is left behind.
        store.delete_thumbnails(photo_id=photo_id)
        return Outcome.DELETED_MEANWHILE
    return Outcome.READY


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def _io() -> ThreadPoolExecutor:
    """Threads for a job's S3 requests, made in the process that uses them (never across a fork)."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="photoshare-s3")


def gave_up_reason(settings: Settings) -> str:
    """Why a photo that used up its attempts is FAILED."""
    return f"gave up after {settings.max_attempts} attempts"


def fail(photo_id: str, reason: str, *, store: PhotoStore, catalog: PhotoCatalog) -> Outcome:
    """Record a permanent failure; a photo deleted meanwhile gets its leftovers removed instead."""
    log.info("photo %s failed: %s", photo_id, reason)
    if not catalog.mark_failed(photo_id=photo_id, error=reason):
        _remove_leftovers_if_deleted(photo_id, store=store, catalog=catalog)
    return Outcome.FAILED


def _remove_leftovers_if_deleted(photo_id: str, *, store: PhotoStore, catalog: PhotoCatalog) -> None:
    if catalog.get(photo_id=photo_id) is None:
        store.delete_thumbnails(photo_id=photo_id)
