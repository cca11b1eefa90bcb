import redis

from photoshare_shared.jobmetrics import percentile


def test_percentiles_by_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50 and percentile(values, 0.95) == 95
    assert percentile([7], 0.95) == 7 and percentile([], 0.5) is None


def test_summary_windows_and_trimming(metrics, redis_url):
    now = 10_000.0
    metrics.record(photo_id="a", outcome="ready", duration_ms=100, now=now - 4000)  # trimmed later
    metrics.record(photo_id="b", outcome="ready", duration_ms=300, now=now - 1000)
    metrics.record(photo_id="c", outcome="failed", duration_ms=50, now=now - 10)
    summary = metrics.summary(now=now)
    assert summary["throughput"] == {"last_5_min": 1, "last_60_min": 2}
    assert summary["processing_ms"] == {"p50": 50, "p95": 300}
    assert redis.Redis.from_url(redis_url).zcard("photoshare:finished") == 2


def test_queue_depth_is_the_length_of_the_queue_list(metrics, redis_url):
    assert metrics.queue_depth("photos") == 0
    redis.Redis.from_url(redis_url).rpush("photos", "a", "b", "c")
    assert metrics.queue_depth("photos") == 3
