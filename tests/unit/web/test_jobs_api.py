"""Retry and the operator's job overview through the Flask test client."""

import re
from io import BytesIO

import pytest
import redis

from photoshare_shared.photo import Status
from tests.support.images import photo_bytes


def upload(client) -> str:
    data = {"file": (BytesIO(photo_bytes(32, 32)), "x.jpg")}
    return client.post("/api/photos", data=data, content_type="multipart/form-data").get_json()["id"]


def fail(catalog, photo_id: str, reason: str = "the image data is truncated or corrupt") -> None:
    catalog.start_processing(photo_id=photo_id)
    catalog.mark_failed(photo_id=photo_id, error=reason)


def test_retry_requeues_a_failed_photo_with_fresh_attempts(client, catalog, publisher):
    photo_id = upload(client)
    fail(catalog, photo_id)

    response = client.post(f"/api/photos/{photo_id}/retry")

    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "QUEUED" and body["error"] is None and body["attempts"] == 0
    assert publisher.published == [photo_id, photo_id]


@pytest.mark.parametrize("status", ["QUEUED", "PROCESSING"])
def test_retry_of_a_photo_that_is_not_failed_is_409(client, catalog, status):
    photo_id = upload(client)
    if status == "PROCESSING":
        catalog.start_processing(photo_id=photo_id)
    response = client.post(f"/api/photos/{photo_id}/retry")
    assert response.status_code == 409
    assert status in response.get_json()["error"]


def test_retry_of_an_unknown_photo_is_404(client):
    assert client.post("/api/photos/01HZZZZZZZZZZZZZZZZZZZZZZZ/retry").status_code == 404


def test_job_overview_counts_by_status_and_lists_failures(client, catalog, publisher, metrics, redis_url):
    ids = [upload(client) for _ in range(4)]
    catalog.start_processing(photo_id=ids[0])
    fail(catalog, ids[1], "not a readable image")
    publisher.online = [{"name": "celery@a", "concurrency": 2, "active": 1}]
    metrics.record(photo_id=ids[2], outcome="ready", duration_ms=120)
    metrics.record(photo_id=ids[3], outcome="ready", duration_ms=80)
    redis.Redis.from_url(redis_url).rpush("photos", "m1", "m2")

    body = client.get("/api/jobs").get_json()

    assert body["counts"] == {"QUEUED": 2, "PROCESSING": 1, "FAILED": 1, "READY": 0}
    assert body["queue_depth"] == 2
    assert body["workers"] == [{"name": "celery@a", "concurrency": 2, "active": 1}]
    assert body["throughput"] == {"last_5_min": 2, "last_60_min": 2}
    assert body["processing_ms"] == {"p50": 80, "p95": 120}
    assert body["oldest_queued_age_s"] >= 0
    [failure] = body["recent_failures"]
    assert failure["id"] == ids[1] and failure["reason"] == "not a readable image" and failure["attempts"] == 1


def test_counts_make_no_scan(client, catalog, attention):
    upload(client)
    operations = []
    for table in (catalog.table, attention.table):
        table.meta.client.meta.events.register("before-call.dynamodb", lambda model, **_: operations.append(model.name))
    client.get("/api/jobs")
    assert "Scan" not in operations and operations.count("Query") >= 3


def test_retry_all_failed(client, catalog, publisher):
    ids = [upload(client) for _ in range(3)]
    fail(catalog, ids[0])
    fail(catalog, ids[2])
    response = client.post("/api/jobs/retry-failed")
    assert response.status_code == 202 and response.get_json() == {"retried": 2}
    assert {catalog.get(photo_id=i).status for i in ids} == {Status.QUEUED}


def test_jobs_page_shows_figures_and_retries_all_with_csrf(client, catalog):
    photo_id = upload(client)
    fail(catalog, photo_id, "not a readable image")
    html = client.get("/jobs").get_data(as_text=True)
    assert "No worker answered" in html and "not a readable image" in html and "x.jpg" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    assert client.post("/jobs/retry-failed").status_code == 400  # no CSRF token
    response = client.post("/jobs/retry-failed", data={"csrf_token": token})
    assert response.status_code == 303
    assert catalog.get(photo_id=photo_id).status is Status.QUEUED


def test_failed_photo_page_has_a_retry_button(client, catalog):
    photo_id = upload(client)
    assert "Retry processing" not in client.get(f"/photos/{photo_id}").get_data(as_text=True)
    fail(catalog, photo_id)
    html = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert "Retry processing" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(f"/photos/{photo_id}/retry", data={"csrf_token": token})
    assert response.status_code == 303 and catalog.get(photo_id=photo_id).status is Status.QUEUED


def test_job_overview_still_answers_while_redis_is_down(client, app, catalog):
    import redis

    from photoshare_shared.jobmetrics import JobMetrics

    upload(client)
    backends = app.extensions["photoshare"]
    dead = JobMetrics(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    app.extensions["photoshare"] = backends.__class__(**{**vars(backends), "metrics": dead})

    body = client.get("/api/jobs").get_json()
    assert body["broker"] == "unavailable" and body["queue_depth"] is None and body["workers"] == []
    assert body["counts"]["QUEUED"] == 1
    assert "not answering" in client.get("/jobs").get_data(as_text=True)
