"""Uploads and retries while Redis is down: accepted, their jobs kept in DynamoDB and sent once
Redis answers; only S3 or DynamoDB failing refuses an upload."""

import time
from io import BytesIO

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from kombu.exceptions import OperationalError

from photoshare_shared.catalog.item import ATTENTION_PARTITION, UNSENT_JOB
from photoshare_shared.keys import new_photo_id
from photoshare_shared.photo import Photo, Status, utc_now
from photoshare_web.dispatch import JobDispatcher
from tests.support.images import photo_bytes

REFUSED = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def upload(client):
    data = {"file": (BytesIO(photo_bytes(40, 30)), "holiday.jpg", "image/jpeg")}
    return client.post("/api/photos", data=data, content_type="multipart/form-data")


def accepted(client) -> str:
    response = upload(client)
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "QUEUED"
    return response.get_json()["id"]


def attention_key(catalog, photo_id: str) -> str | None:
    return catalog.table.get_item(Key={"photo_id": photo_id})["Item"].get(ATTENTION_PARTITION)


def nothing_kept(store, settings, catalog) -> bool:
    return "Contents" not in store.client.list_objects_v2(Bucket=settings.bucket) and catalog.page(limit=5).photos == []


def test_uploads_while_redis_is_down_are_accepted_and_sent_when_it_answers(
    client, catalog, store, settings, publisher, jobs
):
    publisher.error = REFUSED
    first = accepted(client)
    assert publisher.published == [] and jobs.redis_down
    assert attention_key(catalog, first) == UNSENT_JOB
    assert store.client.head_object(Bucket=settings.bucket, Key=f"originals/{first}")

    # Redis is back, but until the sender has seen it requests do not wait on Redis again.
    publisher.error = None
    second = accepted(client)
    assert publisher.published == []
    assert attention_key(catalog, second) == UNSENT_JOB
    assert client.get(f"/api/photos/{second}").get_json()["status"] == "QUEUED"

    jobs.run_once()
    assert publisher.published == [first, second] and not jobs.redis_down
    assert {attention_key(catalog, pid) for pid in (first, second)} == {Status.QUEUED.value}
    third = accepted(client)
    assert publisher.published == [first, second, third]


def test_the_sender_keeps_the_jobs_while_redis_stays_down(client, catalog, publisher, jobs):
    publisher.error = REFUSED
    photo_id = accepted(client)
    assert jobs.run_once() is True  # still work to do
    assert publisher.published == [] and attention_key(catalog, photo_id) == UNSENT_JOB


def test_a_send_failing_midway_keeps_the_rest_unsent(client, catalog, publisher, jobs, monkeypatch):
    publisher.error = REFUSED
    ids = [accepted(client) for _ in range(3)]
    publisher.error = None
    real = publisher.enqueue_photo

    def fails_after_one(*, photo_id: str) -> None:
        if publisher.published:
            raise REFUSED
        real(photo_id=photo_id)

    monkeypatch.setattr(publisher, "enqueue_photo", fails_after_one)
    assert jobs.run_once() is True and jobs.redis_down
    assert publisher.published == ids[:1]
    assert [attention_key(catalog, pid) for pid in ids] == ["QUEUED", UNSENT_JOB, UNSENT_JOB]


@pytest.mark.parametrize("broken", ["put_original", "add"])
def test_storage_down_is_still_503_and_keeps_nothing(client, catalog, store, settings, publisher, monkeypatch, broken):
    target = store if broken == "put_original" else catalog

    def down(**_):
        raise EndpointConnectionError(endpoint_url="http://aws")

    monkeypatch.setattr(target, broken, down)
    response = upload(client)
    assert response.status_code == 503 and "storage" in response.get_json()["error"]
    assert publisher.published == [] and nothing_kept(store, settings, catalog)


def test_redis_and_dynamodb_down_is_503_and_keeps_nothing(client, catalog, store, settings, publisher, monkeypatch):
    publisher.error = REFUSED

    def down(**_):
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "UpdateItem")

    monkeypatch.setattr(catalog, "mark_unsent", down)
    response = upload(client)
    assert response.status_code == 503
    assert nothing_kept(store, settings, catalog)


def test_retry_while_redis_is_down_is_accepted_and_sent_when_it_answers(client, catalog, publisher, jobs):
    photo_id = accepted(client)
    catalog.start_processing(photo_id=photo_id)
    catalog.mark_failed(photo_id=photo_id, error="could not process the image")
    publisher.error = REFUSED
    assert client.post(f"/api/photos/{photo_id}/retry").status_code == 202
    assert attention_key(catalog, photo_id) == UNSENT_JOB
    publisher.error = None
    jobs.run_once()
    assert publisher.published == [photo_id, photo_id]
    assert catalog.get(photo_id=photo_id).status is Status.QUEUED


def test_the_sender_thread_sends_kept_jobs_once_redis_answers(app, catalog, publisher):
    dispatcher = JobDispatcher(app.extensions["photoshare"], interval_s=0.05)
    photo = Photo(
        photo_id=new_photo_id(), filename="a.jpg", content_type="image/jpeg", size_bytes=1, created_at=utc_now()
    )
    catalog.add(photo=photo)
    try:
        publisher.error = REFUSED
        assert dispatcher.send(photo.photo_id) is False
        time.sleep(0.3)
        assert publisher.published == []  # still down: kept
        publisher.error = None
        deadline = time.monotonic() + 10
        while not publisher.published and time.monotonic() < deadline:
            time.sleep(0.05)
        assert publisher.published == [photo.photo_id]
        assert attention_key(catalog, photo.photo_id) == Status.QUEUED.value
    finally:
        dispatcher.stop()
