"""The recovery sweep: re-enqueue photos left QUEUED or PROCESSING too long, and send the jobs
kept unsent while Redis was down (a backstop for the web process that kept them)."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from photoshare_shared.catalog.attention import AttentionIndex
from photoshare_shared.catalog.photos import PhotoCatalog
from photoshare_shared.jobqueue import JobPublisher
from photoshare_shared.outbox import JobOutbox
from photoshare_shared.photo import Status, iso_utc
from photoshare_shared.settings import Settings
from photoshare_worker.processing import gave_up_reason

log = logging.getLogger(__name__)

# Bounds one sweep's work; the next sweep takes the rest.
_BATCH = 200


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    requeued: int
    gave_up: int
    unsent_found: int = 0


def sweep_stuck(
    *,
    catalog: PhotoCatalog,
    attention: AttentionIndex,
    publisher: JobPublisher,
    settings: Settings,
    now: datetime | None = None,
) -> SweepReport:
    """Send the unsent jobs, enqueue again every photo waiting past `stuck_after_s`, fail those
    out of attempts."""
    outbox = JobOutbox(catalog=catalog, attention=attention, publisher=publisher)
    unsent_found = outbox.send_unsent(limit=_BATCH)
    cutoff = iso_utc((now or datetime.now(UTC)) - timedelta(seconds=settings.stuck_after_s))
    requeued = gave_up = 0
    for status in (Status.QUEUED, Status.PROCESSING):
        for photo in attention.waiting_since_before(status=status, cutoff=cutoff, limit=_BATCH):
            if photo.attempts >= settings.max_attempts:
                if catalog.mark_failed(photo_id=photo.photo_id, error=gave_up_reason(settings)):
                    gave_up += 1
                continue
            if catalog.requeue_stuck(photo=photo):
                outbox.send(photo.photo_id)
                requeued += 1
    if requeued or gave_up:
        log.warning("recovery sweep: re-enqueued %d stuck photo(s), gave up on %d", requeued, gave_up)
    return SweepReport(requeued=requeued, gave_up=gave_up, unsent_found=unsent_found)
