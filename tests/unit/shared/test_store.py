"""The S3 store against moto."""

import tempfile
from io import BytesIO

from photoshare_shared.backends import build_store
from photoshare_shared.imageformats import THUMBNAIL_SPECS


def keys_in(store, bucket):
    return sorted(o["Key"] for o in store.client.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_original_round_trip_and_delete_everything(store, settings):
    store.put_original(photo_id="P1", body=BytesIO(b"abc"), content_type="image/png")
    for spec in THUMBNAIL_SPECS:
        store.put_thumbnail(photo_id="P1", spec=spec, data=b"thumb")
    store.put_original(photo_id="P2", body=BytesIO(b"other"), content_type="image/png")
    assert store.read_original(photo_id="P1") == b"abc"
    head = store.client.head_object(Bucket=settings.bucket, Key="originals/P1")
    assert head["ContentType"] == "image/png"

    store.delete_photo(photo_id="P1")
    store.delete_photo(photo_id="P1")  # repeating is safe
    assert keys_in(store, settings.bucket) == ["originals/P2"]


def test_large_originals_go_up_as_multipart(store, settings):
    calls = []
    store.client.meta.events.register("before-call.s3.CreateMultipartUpload", lambda **kw: calls.append(kw))
    store.put_original(photo_id="BIG", body=BytesIO(b"x" * (9 * 1024 * 1024)), content_type="image/jpeg")
    assert len(calls) == 1
    assert store.read_original(photo_id="BIG") == b"x" * (9 * 1024 * 1024)


def test_a_named_file_goes_up_from_disk_written_but_unflushed_data_included(store, settings):
    part = 5 * 1024 * 1024
    data = bytes(range(256)) * (9 * 1024 * 1024 // 256) + b"tail"
    bodies: list[type] = []
    events = store.client.meta.events
    events.register("before-call.s3.UploadPart", lambda params, **_: bodies.append(type(params["body"])))
    with tempfile.NamedTemporaryFile("w+b") as spooled:
        spooled.write(data)  # still partly in the file object's buffer, as the web leaves it
        store.put_original(photo_id="DISK", body=spooled, content_type="image/jpeg")
    assert store.read_original(photo_id="DISK") == data
    assert len(bodies) == -(-len(data) // part)
    assert all(body.__name__ == "ReadFileChunk" for body in bodies)  # read from disk, not copied to memory


def test_urls_point_browsers_at_the_public_endpoint(settings):
    public = settings.model_copy(update={"s3_public_endpoint_url": "http://localhost:4566"})
    store = build_store(public)
    assert store.thumbnail_url("thumbnails/P/small.webp").startswith("http://localhost:4566/unit-bucket/")
    assert store.browser_origin == "http://localhost:4566"


def test_signing_makes_no_request(store):
    sent = []
    store.signer.meta.events.register("before-send.s3", lambda **kw: sent.append(kw))
    store.thumbnail_url("thumbnails/P/small.webp")
    assert sent == []
