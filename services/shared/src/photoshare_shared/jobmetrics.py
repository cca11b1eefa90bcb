"""Live job figures kept in Redis: recent finishes (throughput, durations) and queue depth."""

import logging
import time
from typing import Any

import redis

from photoshare_shared.redisclient import OnTheSide

log = logging.getLogger(__name__)

FINISHED_KEY = "photoshare:finished"
UPLOADS_KEY = "photoshare:uploads"  # new photos by creation time, for the uploads-per-minute figure
WINDOW_S = 3600


def percentile(sorted_values: list[int], fraction: float) -> int | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, round(fraction * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class JobMetrics(OnTheSide):
    """Records each finished job in a sorted set scored by finish time, trimmed to an hour."""

    def record(self, *, photo_id: str, outcome: str, duration_ms: int, now: float | None = None) -> None:
        """Note one finished run."""
        now = time.time() if now is None else now
        pipe = self._redis.pipeline()
        pipe.zadd(FINISHED_KEY, {f"{photo_id}:{outcome}:{duration_ms}:{now:.3f}": now})
        pipe.zremrangebyscore(FINISHED_KEY, "-inf", now - WINDOW_S)
        pipe.execute()

    def record_upload(self, *, photo_id: str, now: float | None = None) -> None:
        """Note one new photo; a figure only, so Redis being down costs the count, never the upload."""
        now = time.time() if now is None else now
        try:
            pipe = self._redis.pipeline()
            pipe.zadd(UPLOADS_KEY, {photo_id: now})
            pipe.zremrangebyscore(UPLOADS_KEY, "-inf", now - WINDOW_S)
            pipe.execute()
        except (redis.RedisError, OSError) as error:
            log.warning("upload %s not counted in the job figures: %s", photo_id, error)

    def uploads_since(self, since: float) -> int:
        """How many new photos were noted since `since`."""
        return int(self._redis.zcount(UPLOADS_KEY, since, "+inf"))

    def summary(self, now: float | None = None) -> dict[str, Any]:
        """Jobs finished in the last 5 and 60 minutes, and p50/p95 processing time over the hour."""
        now = time.time() if now is None else now
        members = self._redis.zrangebyscore(FINISHED_KEY, now - WINDOW_S, "+inf", withscores=True)
        durations = sorted(int(member.rsplit(b":", 2)[1]) for member, _ in members)
        return {
            "throughput": {
                "last_5_min": sum(1 for _, score in members if score >= now - 300),
                "last_60_min": len(members),
            },
            "processing_ms": {"p50": percentile(durations, 0.5), "p95": percentile(durations, 0.95)},
        }

    def outcomes_since(self, since: float) -> dict[str, int]:
        """How many jobs finished since `since`, by outcome (READY, FAILED)."""
        members = self._redis.zrangebyscore(FINISHED_KEY, since, "+inf")
        counts: dict[str, int] = {}
        for member in members:
            outcome = member.rsplit(b":", 3)[1].decode()
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def queue_depth(self, queue: str) -> int:
        """Messages waiting in a Celery queue (a Redis list of the same name)."""
        return int(self._redis.llen(queue))
