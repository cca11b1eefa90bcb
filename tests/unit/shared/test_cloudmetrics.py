"""The CloudWatch publisher, against moto and a real Redis: the jobs page's figures, one namespace."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import redis

from photoshare_shared import cloudmetrics
from photoshare_shared.aws import make_client
from photoshare_shared.backends import Backends
from photoshare_shared.jobqueue import PHOTOS_QUEUE
from photoshare_shared.keys import new_photo_id
from photoshare_worker import metrics_publisher
from tests.support.photos import add_queued


@pytest.fixture
def backends(settings, store, catalog, attention, publisher, metrics) -> Backends:
    changed = settings.model_copy(update={"metrics_stack": "ps-unit"})
    return Backends(changed, store, catalog, attention, publisher, metrics)  # type: ignore[arg-type]


def test_figures_are_the_last_minutes_counts_and_the_queue(backends, catalog, metrics, redis_url):
    now = time.time()
    add_queued(catalog, age_s=90)  # uploaded before the minute, still queued: the oldest
    metrics.record_upload(photo_id=new_photo_id(), now=now - 90)
    for age_s in (5, 1):  # this minute's uploads, their jobs sent as every upload path sends them
        assert backends.send_new_photo(add_queued(catalog, age_s=age_s))
    for outcome, duration, ago in (("ready", 100, 10), ("ready", 300, 20), ("failed", 200, 30), ("ready", 900, 120)):
        metrics.record(photo_id=new_photo_id(), outcome=outcome, duration_ms=duration, now=now - ago)
    redis.Redis.from_url(redis_url).lpush(PHOTOS_QUEUE, "a", "b", "c", "d")

    figures = cloudmetrics.pipeline_figures(backends, now)

    assert figures[cloudmetrics.QUEUE_DEPTH] == 4
    assert 89 <= figures[cloudmetrics.OLDEST_QUEUED_AGE] <= 95
    assert figures[cloudmetrics.JOBS_FINISHED] == 3  # the one two minutes ago is not this minute's
    assert figures[cloudmetrics.JOBS_FAILED] == 1
    assert figures[cloudmetrics.UPLOADS] == 2
    # Over the hour, as the jobs page: 100, 200, 300, 900.
    assert (figures[cloudmetrics.PROCESSING_TIME_P50], figures[cloudmetrics.PROCESSING_TIME_P95]) == (200, 900)


def test_an_idle_pipeline_reports_zeros_and_no_processing_times(backends):
    figures = cloudmetrics.pipeline_figures(backends)
    assert figures == {
        cloudmetrics.QUEUE_DEPTH: 0,
        cloudmetrics.OLDEST_QUEUED_AGE: 0.0,
        cloudmetrics.JOBS_FINISHED: 0,
        cloudmetrics.JOBS_FAILED: 0,
        cloudmetrics.UPLOADS: 0,
    }


def test_the_publisher_sends_every_figure_under_one_namespace_and_the_stack_dimension(backends, metrics):
    metrics.record(photo_id=new_photo_id(), outcome="ready", duration_ms=1500)
    cloudwatch = make_client("cloudwatch", backends.settings)

    assert metrics_publisher.publish_once(backends, cloudwatch)

    listed = cloudwatch.list_metrics(Namespace=cloudmetrics.NAMESPACE)["Metrics"]
    assert {m["MetricName"] for m in listed} == set(cloudmetrics.UNITS)
    assert all(m["Dimensions"] == [{"Name": "Stack", "Value": "ps-unit"}] for m in listed)
    stats = cloudwatch.get_metric_statistics(
        Namespace=cloudmetrics.NAMESPACE,
        MetricName=cloudmetrics.PROCESSING_TIME_P95,
        Dimensions=[{"Name": "Stack", "Value": "ps-unit"}],
        StartTime=datetime.now(UTC) - timedelta(minutes=5),
        EndTime=datetime.now(UTC) + timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert [(p["Maximum"], p["Unit"]) for p in stats] == [(1500.0, "Milliseconds")]


def test_a_failed_publish_is_reported_and_not_raised(backends, caplog):
    class Refusing:
        def put_metric_data(self, **_: object) -> None:
            raise OSError("network unreachable")

    assert not metrics_publisher.publish_once(backends, Refusing())
    assert "could not publish metrics: network unreachable" in caplog.text


def test_uploads_are_counted_when_their_job_is_sent(backends, catalog, publisher):
    publisher.error = OSError("Redis is down")
    assert not backends.send_new_photo(add_queued(catalog))
    publisher.error = None
    assert backends.send_new_photo(add_queued(catalog))
    assert cloudmetrics.pipeline_figures(backends)[cloudmetrics.UPLOADS] == 1
