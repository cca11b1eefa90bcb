"""The upload consumer: objects written under uploads/<username>/ become photos, once each."""

import hashlib

import pytest
import requests

from photoshare_shared import keys
from photoshare_shared.aws import make_client
from photoshare_shared.backends import Backends
from photoshare_shared.photo import Status, Visibility
from photoshare_worker.consumer import Consumer
from photoshare_worker.processing import run_photo_job
from tests.support.images import photo_bytes


@pytest.fixture
def backends(settings, store, catalog, attention, publisher, metrics) -> Backends:
    return Backends(
        settings=settings, store=store, catalog=catalog, attention=attention, publisher=publisher, metrics=metrics
    )


@pytest.fixture
def consumer(backends, pool_ids) -> Consumer:
    made = Consumer(backends)
    assert made.poll_once(wait_s=0) == 1  # S3's test event, sent when the notification was set
    return made


@pytest.fixture
def s3(store):
    return store.client


def drain(consumer: Consumer) -> int:
    return consumer.poll_once(wait_s=0)


def test_an_object_put_by_any_writer_becomes_a_queued_photo_of_the_named_account(
    consumer, s3, settings, catalog, publisher, alice
):
    data = photo_bytes()
    s3.put_object(Bucket=settings.bucket, Key="uploads/alice/My Holiday.jpg", Body=data)

    assert drain(consumer) == 1

    [photo_id] = publisher.published
    photo = catalog.get(photo_id=photo_id)
    assert (photo.status, photo.owner_name, photo.filename) == (Status.QUEUED, "alice", "My Holiday.jpg")
    assert photo.owner_id == alice.sub
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert s3.get_object(Bucket=settings.bucket, Key=keys.original_key(photo_id))["Body"].read() == data
    assert "Contents" not in s3.list_objects_v2(Bucket=settings.bucket, Prefix=keys.UPLOAD_PREFIX)


def test_a_redelivered_event_makes_no_second_photo(consumer, s3, settings, publisher, alice):
    sqs = make_client("sqs", settings)
    s3.put_object(Bucket=settings.bucket, Key="uploads/alice/a.jpg", Body=photo_bytes())
    url = consumer.queue_url
    [message] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"]
    sqs.send_message(QueueUrl=url, MessageBody=message["Body"])  # S3 delivers at least once
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)

    while drain(consumer):
        pass

    assert len(publisher.published) == 1


def test_the_same_bytes_again_are_removed_as_a_duplicate(consumer, s3, settings, publisher, alice):
    data = photo_bytes()
    s3.put_object(Bucket=settings.bucket, Key="uploads/alice/one.jpg", Body=data)
    drain(consumer)
    s3.put_object(Bucket=settings.bucket, Key="uploads/alice/two.jpg", Body=data)
    drain(consumer)

    assert len(publisher.published) == 1
    assert "Contents" not in s3.list_objects_v2(Bucket=settings.bucket, Prefix=keys.UPLOAD_PREFIX)


def test_an_unknown_account_leaves_the_object_and_makes_nothing(consumer, s3, settings, publisher):
    s3.put_object(Bucket=settings.bucket, Key="uploads/nobody-here/a.jpg", Body=photo_bytes())
    assert drain(consumer) == 1
    assert publisher.published == []
    assert s3.head_object(Bucket=settings.bucket, Key="uploads/nobody-here/a.jpg")["ContentLength"] > 0


def test_objects_outside_the_upload_prefix_are_not_announced(consumer, s3, settings, publisher, alice):
    s3.put_object(Bucket=settings.bucket, Key="elsewhere/alice/a.jpg", Body=photo_bytes())
    assert drain(consumer) == 0
    assert publisher.published == []


def send_one_part(client) -> tuple[dict, str]:
    """Start a one-part direct upload of a fresh photo and send its part: the start's answer and the ETag."""
    data = photo_bytes()
    started = client.post(
        "/api/uploads", json={"filename": "a.jpg", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    ).get_json()
    [part] = started["parts"]
    return started, requests.put(part["url"], data=data, timeout=10).headers["ETag"]


def test_completion_and_event_for_one_upload_make_one_photo(app, client, consumer, catalog, publisher):
    started, etag = send_one_part(client)
    answer = client.post(f"/api/uploads/{started['upload_id']}/complete", json={"parts": [{"number": 1, "etag": etag}]})
    assert answer.status_code == 202

    assert drain(consumer) >= 1  # the CompleteMultipartUpload event, after completion landed it

    assert publisher.published == [started["upload_id"]]
    assert catalog.get(photo_id=started["upload_id"]).status is Status.QUEUED


def test_event_first_then_completion_gives_the_same_photo(app, client, consumer, s3, settings, publisher):
    started, etag = send_one_part(client)
    key = keys.upload_key("alice", started["upload_id"])
    upload_id = s3.list_multipart_uploads(Bucket=settings.bucket)["Uploads"][0]["UploadId"]
    s3.complete_multipart_upload(  # a client that completes at S3 directly, then tells the web
        Bucket=settings.bucket,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    assert drain(consumer) >= 1
    assert publisher.published == [started["upload_id"]]  # the event landed it

    answer = client.post(f"/api/uploads/{started['upload_id']}/complete", json={"parts": [{"number": 1, "etag": etag}]})

    assert answer.status_code == 202
    assert answer.get_json()["id"] == started["upload_id"]
    assert publisher.published == [started["upload_id"]]


def test_a_non_image_ends_failed_with_a_reason_and_its_bytes_removed(consumer, s3, settings, catalog, store, alice):
    s3.put_object(Bucket=settings.bucket, Key="uploads/alice/notes.jpg", Body=b"<html>not a photo</html>")
    drain(consumer)
    [photo] = catalog.page(limit=5, owner_id=alice.sub).photos

    run_photo_job(photo.photo_id, store=store, catalog=catalog, settings=settings)

    failed = catalog.get(photo_id=photo.photo_id)
    assert failed.status is Status.FAILED
    assert "not a readable image" in failed.error
    assert "Contents" not in s3.list_objects_v2(Bucket=settings.bucket)


def test_a_photo_put_into_the_bucket_gets_its_accounts_default_visibility(
    consumer, s3, settings, catalog, backends, publisher, alice
):
    s3.put_object(Bucket=settings.bucket, Key="uploads/alice/first.jpg", Body=photo_bytes())
    drain(consumer)
    backends.preferences.set_default_visibility(alice.sub, Visibility.PUBLIC)
    s3.put_object(Bucket=settings.bucket, Key="uploads/alice/second.jpg", Body=photo_bytes())
    drain(consumer)

    first, second = (catalog.get(photo_id=photo_id) for photo_id in publisher.published)
    assert (first.visibility, second.visibility) == (Visibility.PRIVATE, Visibility.PUBLIC)
