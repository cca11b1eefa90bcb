"""The operator's view of the job pipeline: queue, workers, counts, throughput, failures."""

import threading
import time
from datetime import UTC, datetime
from typing import Any

import redis
from flask import current_app
from kombu.exceptions import OperationalError

from photoshare_shared.backends import Backends
from photoshare_shared.catalog.attention import ATTENTION_STATUSES
from photoshare_shared.jobqueue import PHOTOS_QUEUE
from photoshare_shared.photo import Status
from photoshare_web.current_backends import current_backends

# Asking workers is a broadcast that waits for replies: keep it short and reuse the answer.
_INSPECT_TIMEOUT_S = 1.0
_WORKERS_TTL_S = 5.0
_RECENT_FAILURES = 10


class WorkerCache:
    """The last answer of Celery's inspect, per app, for a few seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fetched_at = float("-inf")
        self._workers: list[dict[str, Any]] = []

    def get(self, backends: Backends) -> list[dict[str, Any]]:
        with self._lock:
            if time.monotonic() - self._fetched_at > _WORKERS_TTL_S:
                self._workers = backends.publisher.workers(timeout=_INSPECT_TIMEOUT_S)
                self._fetched_at = time.monotonic()
            return self._workers


def job_overview(backends: Backends, workers: WorkerCache) -> dict[str, Any]:
    """Everything the jobs page shows; counts come from index Queries, never a Scan."""
    counts = {status.value: backends.attention.count(status=status) for status in ATTENTION_STATUSES}
    # READY items are not in the attention index; the table's item count covers them
    # (AWS refreshes that count about every six hours; the emulator's is exact).
    counts[Status.READY.value] = max(0, backends.catalog.item_count() - sum(counts.values()))
    oldest = backends.attention.oldest(status=Status.QUEUED)
    failures = backends.attention.newest(status=Status.FAILED, limit=_RECENT_FAILURES)
    return {
        **_broker_figures(backends, workers),
        "counts": counts,
        "oldest_queued_age_s": _age_s(oldest.queued_at or oldest.created_at) if oldest else None,
        "recent_failures": [
            {
                "id": photo.photo_id,
                "filename": photo.filename,
                "reason": photo.error,
                "attempts": photo.attempts,
                "when": photo.finished_at,
            }
            for photo in failures
        ],
    }


def _broker_figures(backends: Backends, workers: WorkerCache) -> dict[str, Any]:
    """Queue, workers and job timings, all from Redis; nulls while Redis is down."""
    try:
        return {
            "broker": "ok",
            "queue_depth": backends.metrics.queue_depth(PHOTOS_QUEUE),
            "workers": workers.get(backends),
            **backends.metrics.summary(),
        }
    except (redis.RedisError, OperationalError, OSError):
        return {"broker": "unavailable", "queue_depth": None, "workers": [], "throughput": None, "processing_ms": None}


def current_overview() -> dict[str, Any]:
    """The job overview for the current app, whose worker list is cached per app."""
    cache = current_app.extensions.setdefault("photoshare.workers", WorkerCache())
    return job_overview(current_backends(), cache)


def _age_s(timestamp: str) -> float:
    then = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return round((datetime.now(UTC) - then).total_seconds(), 1)
