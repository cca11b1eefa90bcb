"""Celery tasks: thin wrappers that build services once per process and call plain functions."""

import logging
from functools import cache

from celery import Task
from celery.utils.time import get_exponential_backoff_interval

from photoshare_shared.catalog import PhotoCatalog
from photoshare_shared.jobs import MAX_ATTEMPTS, PROCESS_PHOTO_TASK, RETRY_BACKOFF_MAX_S
from photoshare_shared.settings import Settings
from photoshare_shared.store import PhotoStore
from photoshare_shared.stores import build_catalog, build_store
from photoshare_worker.celery_app import app
from photoshare_worker.processing import process_photo as run_processing
from photoshare_worker.transient import is_transient

log = logging.getLogger(__name__)


@cache
def _services() -> tuple[Settings, PhotoStore, PhotoCatalog]:
    # Built lazily in each pool process: boto3 clients must not cross a fork.
    settings = Settings()
    return settings, build_store(settings), build_catalog(settings)


@app.task(name=PROCESS_PHOTO_TASK, bind=True, max_retries=None)
def process_photo(self: Task, photo_id: str) -> str:
    """Make a photo's thumbnails and metadata; retry transient AWS faults with backoff."""
    settings, store, catalog = _services()
    try:
        return run_processing(photo_id, store=store, catalog=catalog, max_pixels=settings.max_image_pixels)
    except Exception as error:
        if is_transient(error) and self.request.retries < MAX_ATTEMPTS:
            countdown = get_exponential_backoff_interval(
                factor=1, retries=self.request.retries, maximum=RETRY_BACKOFF_MAX_S, full_jitter=True
            )
            log.warning("photo %s: transient error, retry in %ss: %s", photo_id, countdown, error)
            raise self.retry(exc=error, countdown=countdown)
        log.exception("photo %s: processing failed", photo_id)
        reason = "could not process the image" if not is_transient(error) else "storage kept failing"
        catalog.mark_failed(photo_id=photo_id, error=f"{reason} ({type(error).__name__})")
        return "failed"
