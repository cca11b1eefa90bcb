"""The process-photo function end to end against moto: READY, FAILED, idempotent, delete-safe."""

import re
from io import BytesIO

import pytest
from PIL import Image

from photoshare_shared.keys import new_photo_id
from photoshare_shared.photo import Photo, Status, utc_now
from photoshare_worker.processing import Outcome, run_photo_job
from tests.support.images import CAMERA_EXIF, GPS_NORTH_EAST, photo_bytes


def queue(store, catalog, data: bytes) -> str:
    photo = Photo(
        photo_id=new_photo_id(), filename="p.jpg", content_type="image/jpeg", size_bytes=len(data), created_at=utc_now()
    )
    store.put_original(photo_id=photo.photo_id, body=BytesIO(data), content_type="image/jpeg")
    catalog.add(photo=photo)
    return photo.photo_id


@pytest.fixture
def run(store, catalog, settings):
    return lambda photo_id: run_photo_job(photo_id, store=store, catalog=catalog, settings=settings)


def bucket_keys(store, settings):
    return sorted(o["Key"] for o in store.client.list_objects_v2(Bucket=settings.bucket).get("Contents", []))


def test_a_camera_photo_becomes_ready_with_upright_thumbnails_and_exif(store, catalog, settings, run):
    photo_id = queue(store, catalog, photo_bytes(1600, 1200, orientation=6, exif=CAMERA_EXIF, gps=GPS_NORTH_EAST))

    assert run(photo_id) is Outcome.READY

    photo = catalog.get(photo_id=photo_id)
    assert photo.status is Status.READY and photo.attempts == 1 and photo.error is None
    assert (photo.width, photo.height) == (1200, 1600)
    assert photo.exif["make"] == "Canon" and photo.exif["model"] == "Canon EOS R6"
    assert photo.exif["gps"]["lat"] > 48 and photo.exif["gps"]["lon"] > 2
    assert len(photo.sha256) == 64
    assert re.fullmatch(r"#[0-9a-f]{6}", photo.average_color)
    for name, longest in (("small", 256), ("large", 1280)):
        thumb = photo.thumbnails[name]
        body = store.client.get_object(Bucket=settings.bucket, Key=thumb.key)["Body"].read()
        image = Image.open(BytesIO(body))
        assert image.size == (thumb.width, thumb.height) and max(image.size) == longest
        assert image.height > image.width  # upright portrait
        assert not image.getexif()  # no EXIF, no GPS in derivatives


def test_an_undecodable_image_fails_at_once_with_a_reason(store, catalog, run):
    truncated = photo_bytes(800, 600)[:2000]
    photo_id = queue(store, catalog, truncated)
    assert run(photo_id) is Outcome.FAILED
    photo = catalog.get(photo_id=photo_id)
    assert photo.status is Status.FAILED and photo.error and photo.attempts == 1


def test_running_the_same_job_twice_gives_one_result(store, catalog, settings, run):
    photo_id = queue(store, catalog, photo_bytes())
    assert run(photo_id) is Outcome.READY
    keys_after_first = bucket_keys(store, settings)
    first = catalog.get(photo_id=photo_id)

    assert run(photo_id) is Outcome.SKIPPED
    assert bucket_keys(store, settings) == keys_after_first
    assert catalog.get(photo_id=photo_id) == first


def test_a_job_for_a_deleted_photo_does_nothing(store, catalog, settings, run):
    photo_id = queue(store, catalog, photo_bytes())
    catalog.delete(photo_id=photo_id)
    store.delete_photo(photo_id=photo_id)
    assert run(photo_id) is Outcome.SKIPPED
    assert bucket_keys(store, settings) == []
    assert catalog.get(photo_id=photo_id) is None


def test_a_delete_during_processing_leaves_nothing_behind(store, catalog, settings, run):
    photo_id = queue(store, catalog, photo_bytes())
    real_mark_ready = catalog.mark_ready

    def delete_then_mark_ready(**kwargs):
        catalog.delete(photo_id=photo_id)  # the user deletes while thumbnails are being written
        store.delete_photo(photo_id=photo_id)
        return real_mark_ready(**kwargs)

    catalog.mark_ready = delete_then_mark_ready
    assert run(photo_id) is Outcome.DELETED_MEANWHILE
    assert bucket_keys(store, settings) == []
    assert catalog.get(photo_id=photo_id) is None


def test_a_photo_that_keeps_killing_its_worker_ends_failed(store, catalog, settings, run):
    photo_id = queue(store, catalog, photo_bytes())
    for _ in range(settings.max_attempts):  # each start counts an attempt; the runs "died" before finishing
        catalog.start_processing(photo_id=photo_id)
    assert run(photo_id) is Outcome.FAILED
    assert catalog.get(photo_id=photo_id).error == f"gave up after {settings.max_attempts} attempts"


def test_a_missing_original_fails_with_a_reason(store, catalog, run, settings):
    photo_id = queue(store, catalog, photo_bytes())
    store.client.delete_object(Bucket=settings.bucket, Key=f"originals/{photo_id}")
    assert run(photo_id) is Outcome.FAILED
    assert catalog.get(photo_id=photo_id).error == "the original file is missing"


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "WEBP"])
def test_other_formats_become_ready(store, catalog, fmt, run):
    photo_id = queue(store, catalog, photo_bytes(300, 200, format=fmt))
    assert run(photo_id) is Outcome.READY
    photo = catalog.get(photo_id=photo_id)
    assert photo.format == fmt and (photo.width, photo.height) == (300, 200)
    assert photo.thumbnails["small"].width == 256 and photo.thumbnails["large"].width == 300


def test_a_rerun_after_a_delete_removes_thumbnails_an_earlier_run_left(store, catalog, settings, run):
    """An earlier run wrote a thumbnail, then died; meanwhile the photo was deleted."""
    from photoshare_shared.imageformats import SMALL

    photo_id = queue(store, catalog, photo_bytes())
    catalog.start_processing(photo_id=photo_id)
    store.put_thumbnail(photo_id=photo_id, spec=SMALL, data=b"partial")
    catalog.delete(photo_id=photo_id)
    store.delete_photo(photo_id=photo_id)
    store.put_thumbnail(photo_id=photo_id, spec=SMALL, data=b"written after the delete")

    assert run(photo_id) is Outcome.SKIPPED
    assert bucket_keys(store, settings) == []
