"""The recovery sweep against moto: stuck photos are enqueued again, hopeless ones fail."""

from datetime import UTC, datetime, timedelta

import pytest

from photoshare_shared.keys import new_photo_id
from photoshare_shared.photo import Photo, Status, utc_now
from photoshare_worker.recovery import sweep_stuck


def add(catalog) -> str:
    photo = Photo(
        photo_id=new_photo_id(),
        filename="a.jpg",
        content_type="image/jpeg",
        size_bytes=1,
        created_at=utc_now(),
        queued_at=utc_now(),
    )
    catalog.add(photo=photo)
    return photo.photo_id


@pytest.fixture
def sweep(catalog, attention, publisher, settings):
    def run(after_s: float):
        later = datetime.now(UTC) + timedelta(seconds=after_s)
        return sweep_stuck(catalog=catalog, attention=attention, publisher=publisher, settings=settings, now=later)

    return run


def test_fresh_photos_are_left_alone(catalog, publisher, sweep, settings):
    add(catalog)
    assert sweep(settings.stuck_after_s - 30).requeued == 0
    assert publisher.published == []


def test_stuck_queued_and_processing_photos_are_enqueued_again_once(catalog, publisher, sweep, settings):
    queued, processing, ready = add(catalog), add(catalog), add(catalog)
    queued_at_first = catalog.get(photo_id=queued).queued_at
    catalog.start_processing(photo_id=processing)
    catalog.start_processing(photo_id=ready)
    from photoshare_shared.photo import ProcessingResult

    catalog.mark_ready(photo_id=ready, result=ProcessingResult(1, 1, "JPEG", "0" * 64, {}, {}))

    report = sweep(settings.stuck_after_s + 5)

    assert report.requeued == 2 and sorted(publisher.published) == sorted([queued, processing])
    assert catalog.get(photo_id=processing).status is Status.QUEUED
    # queued_at moves on, so each stuck photo is enqueued again at most once per bound
    assert catalog.get(photo_id=queued).queued_at > queued_at_first


def test_a_photo_out_of_attempts_is_failed_instead(catalog, publisher, sweep, settings):
    photo_id = add(catalog)
    for _ in range(settings.max_attempts):
        catalog.start_processing(photo_id=photo_id)
    report = sweep(settings.stuck_after_s + 5)
    assert report.gave_up == 1 and publisher.published == []
    photo = catalog.get(photo_id=photo_id)
    assert photo.status is Status.FAILED and photo.error == f"gave up after {settings.max_attempts} attempts"


def test_the_sweep_sends_jobs_kept_unsent(catalog, publisher, sweep, settings):
    photo_id = add(catalog)
    catalog.mark_unsent(photo_id=photo_id)
    report = sweep(0)
    assert report.unsent_found == 1 and report.requeued == 0
    assert publisher.published == [photo_id]
    assert not catalog.get(photo_id=photo_id).job_unsent
