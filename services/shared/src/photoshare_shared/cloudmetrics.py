"""The job pipeline's figures as CloudWatch metrics: what the jobs page shows, once a minute.

One namespace, one dimension (Stack: the deployed stack's name, so two stacks in one account keep
apart). The deploy template's alarms, scaling policy and dashboard read these names; a unit test
runs the publisher against the emulator and holds the template to what it really sends.
"""

import time
from datetime import UTC, datetime
from typing import Any

from photoshare_shared.backends import Backends
from photoshare_shared.jobqueue import PHOTOS_QUEUE
from photoshare_shared.photo import Status

NAMESPACE = "Photoshare"
STACK_DIMENSION = "Stack"
PERIOD_S = 60

# Name -> CloudWatch unit. Counts per minute are counted over the minute before publishing.
QUEUE_DEPTH = "QueueDepth"  # jobs waiting in the broker's queue
OLDEST_QUEUED_AGE = "OldestQueuedAge"  # how long the longest-waiting QUEUED photo has waited (0: none)
JOBS_FINISHED = "JobsFinished"  # jobs that ended (READY or FAILED) in the last minute
JOBS_FAILED = "JobsFailed"  # of those, the ones that ended FAILED
PROCESSING_TIME_P50 = "ProcessingTimeP50"  # over the last hour, as on the jobs page
PROCESSING_TIME_P95 = "ProcessingTimeP95"
UPLOADS = "Uploads"  # new photos in the last minute, every way of uploading (duplicates not counted)
UNITS = {
    QUEUE_DEPTH: "Count",
    OLDEST_QUEUED_AGE: "Seconds",
    JOBS_FINISHED: "Count",
    JOBS_FAILED: "Count",
    PROCESSING_TIME_P50: "Milliseconds",
    PROCESSING_TIME_P95: "Milliseconds",
    UPLOADS: "Count",
}


def pipeline_figures(backends: Backends, now: float | None = None) -> dict[str, float]:
    """This minute's figures; the processing times only once a job has finished within the hour."""
    now = time.time() if now is None else now
    outcomes = backends.metrics.outcomes_since(now - PERIOD_S)
    timings = backends.metrics.summary(now)["processing_ms"]
    oldest = backends.attention.oldest(status=Status.QUEUED)
    waiting_since = (oldest.queued_at or oldest.created_at) if oldest else None
    figures: dict[str, float] = {
        QUEUE_DEPTH: backends.metrics.queue_depth(PHOTOS_QUEUE),
        OLDEST_QUEUED_AGE: _age_s(waiting_since, now) if waiting_since else 0.0,
        JOBS_FINISHED: sum(outcomes.values()),
        JOBS_FAILED: outcomes.get("failed", 0),
        UPLOADS: backends.metrics.uploads_since(now - PERIOD_S),
    }
    if timings["p50"] is not None:
        figures[PROCESSING_TIME_P50] = timings["p50"]
        figures[PROCESSING_TIME_P95] = timings["p95"]
    return figures


def metric_data(figures: dict[str, float], stack: str, now: float | None = None) -> list[dict[str, Any]]:
    """PutMetricData's MetricData for these figures, each with the Stack dimension."""
    when = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    return [
        {
            "MetricName": name,
            "Dimensions": [{"Name": STACK_DIMENSION, "Value": stack}],
            "Timestamp": when,
            "Value": float(value),
            "Unit": UNITS[name],
        }
        for name, value in figures.items()
    ]


def publish(cloudwatch: Any, backends: Backends, now: float | None = None) -> dict[str, float]:
    """Measure and send this minute's figures (one PutMetricData call); return what was sent."""
    figures = pipeline_figures(backends, now)
    data = metric_data(figures, backends.settings.metrics_stack, now)
    cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data)
    return figures


def _age_s(timestamp: str, now: float) -> float:
    then = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return round(max(0.0, now - then.timestamp()), 1)
