"""The job pipeline's figures as CloudWatch metrics: what the jobs page shows, once a minute.

One namespace, one dimension (Stack: the deployed stack's name, so two stacks in one account keep
apart). The deploy template's alarms, scaling policy and dashboard read these names; a unit test
runs the publisher against the emulator and holds the template to what it really sends.
"""

import time
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from photoshare_shared import schema
from photoshare_shared.aws import make_table
from photoshare_shared.jobs import PHOTOS_QUEUE
from photoshare_shared.photo import Status, iso_utc
from photoshare_shared.services import Services

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
UPLOADS = "Uploads"  # photos created in the last minute
UNITS = {
    QUEUE_DEPTH: "Count",
    OLDEST_QUEUED_AGE: "Seconds",
    JOBS_FINISHED: "Count",
    JOBS_FAILED: "Count",
    PROCESSING_TIME_P50: "Milliseconds",
    PROCESSING_TIME_P95: "Milliseconds",
    UPLOADS: "Count",
}


def pipeline_figures(services: Services, now: float | None = None) -> dict[str, float]:
    """This minute's figures; the processing times only once a job has finished within the hour."""
    now = time.time() if now is None else now
    outcomes = services.metrics.outcomes_since(now - PERIOD_S)
    timings = services.metrics.summary(now)["processing_ms"]
    oldest = services.attention.oldest(status=Status.QUEUED)
    waiting_since = (oldest.queued_at or oldest.created_at) if oldest else None
    figures: dict[str, float] = {
        QUEUE_DEPTH: services.metrics.queue_depth(PHOTOS_QUEUE),
        OLDEST_QUEUED_AGE: _age_s(waiting_since, now) if waiting_since else 0.0,
        JOBS_FINISHED: sum(outcomes.values()),
        JOBS_FAILED: outcomes.get("failed", 0),
        UPLOADS: uploads_since(services, now - PERIOD_S),
    }
    if timings["p50"] is not None:
        figures[PROCESSING_TIME_P50] = timings["p50"]
        figures[PROCESSING_TIME_P95] = timings["p95"]
    return figures


def uploads_since(services: Services, since: float) -> int:
    """Photos created since `since`: a COUNT Query on the gallery index (sorted by creation time)."""
    cutoff = iso_utc(datetime.fromtimestamp(since, UTC))
    query: dict[str, Any] = {
        "IndexName": schema.GALLERY_INDEX,
        "KeyConditionExpression": Key(schema.GALLERY_PARTITION).eq(schema.PUBLIC_GALLERY)
        & Key(schema.GALLERY_SORT).gte(cutoff),
        "Select": "COUNT",
    }
    table, total = make_table(services.settings), 0
    while True:
        page = table.query(**query)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


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


def publish(cloudwatch: Any, services: Services, now: float | None = None) -> dict[str, float]:
    """Measure and send this minute's figures (one PutMetricData call); return what was sent."""
    figures = pipeline_figures(services, now)
    data = metric_data(figures, services.settings.metrics_stack, now)
    cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data)
    return figures


def _age_s(timestamp: str, now: float) -> float:
    then = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return round(max(0.0, now - then.timestamp()), 1)
