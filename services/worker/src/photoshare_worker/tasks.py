"""Celery tasks: thin wrappers that build the backends once per process and call plain functions."""

import logging
import time
from functools import cache

import redis
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval

from photoshare_shared.backends import Backends
from photoshare_shared.jobmetrics import JobMetrics
from photoshare_shared.jobqueue import PROCESS_PHOTO_TASK, SWEEP_TASK
from photoshare_shared.settings import Settings
from photoshare_worker.celery_app import app
from photoshare_worker.processing import Outcome, fail, run_photo_job
from photoshare_worker.recovery import sweep_stuck
from photoshare_worker.transient import is_transient

log = logging.getLogger(__name__)


@cache
def _backends() -> Backends:
    # Built lazily in each pool process: boto3 clients must not cross a fork.
    return Backends.from_settings(Settings())


@app.task(name=PROCESS_PHOTO_TASK, bind=True, max_retries=None)
def process_photo(self: Task, photo_id: str) -> str:
    """Make a photo's thumbnails and metadata; retry transient AWS faults with backoff."""
    backends = _backends()
    started = time.perf_counter()
    try:
        outcome = run_photo_job(
            photo_id,
            store=backends.store,
            catalog=backends.catalog,
            settings=backends.settings,
            job_id=self.request.id,
        )
    except SoftTimeLimitExceeded:
        # Another run would take as long: fail now, with a reason a person understands.
        reason = f"processing took longer than {backends.settings.task_soft_time_limit_s} s"
        outcome = fail(photo_id, reason, store=backends.store, catalog=backends.catalog)
    except Exception as error:
        if is_transient(error) and self.request.retries < backends.settings.max_attempts:
            countdown = get_exponential_backoff_interval(
                factor=1, retries=self.request.retries, maximum=backends.settings.retry_backoff_max_s, full_jitter=True
            )
            log.warning("photo %s: transient error, retry in %ss: %s", photo_id, countdown, error)
            raise self.retry(exc=error, countdown=countdown) from error
        log.exception("photo %s: processing failed", photo_id)
        reason = "storage kept failing" if is_transient(error) else "could not process the image"
        outcome = fail(photo_id, f"{reason} ({type(error).__name__})", store=backends.store, catalog=backends.catalog)
    if outcome in (Outcome.READY, Outcome.FAILED):
        _record(backends.metrics, photo_id, outcome, started)
    return outcome.value


@app.task(name=SWEEP_TASK)
def sweep() -> dict[str, int]:
    """Send unsent jobs, re-enqueue photos stuck QUEUED or PROCESSING (run by Celery beat)."""
    backends = _backends()
    report = sweep_stuck(
        catalog=backends.catalog,
        attention=backends.attention,
        publisher=backends.publisher,
        settings=backends.settings,
    )
    return {"requeued": report.requeued, "gave_up": report.gave_up, "unsent_found": report.unsent_found}


def _record(metrics: JobMetrics, photo_id: str, outcome: Outcome, started: float) -> None:
    # Figures for the jobs page; losing one must never fail the job itself.
    try:
        metrics.record(
            photo_id=photo_id, outcome=outcome.value, duration_ms=round((time.perf_counter() - started) * 1000)
        )
    except redis.RedisError as error:
        log.warning("could not record job metrics: %s", error)
