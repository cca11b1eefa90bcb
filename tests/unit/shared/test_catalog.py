"""The DynamoDB catalog against moto: lifecycle transitions and their conditions."""

from decimal import Decimal

from photoshare_shared.catalog.item import ATTENTION_PARTITION
from photoshare_shared.keys import new_photo_id
from photoshare_shared.photo import Photo, ProcessingResult, Status, Thumbnail, utc_now

RESULT = ProcessingResult(
    width=3000,
    height=4000,
    format="JPEG",
    sha256="0" * 64,
    exif={"f_number": Decimal("5.6"), "gps": {"lat": Decimal("48.858222"), "lon": Decimal("2.2945")}},
    thumbnails={"small": Thumbnail(key="thumbnails/x/small.webp", width=192, height=256, content_type="image/webp")},
)


def new_photo(catalog) -> Photo:
    photo = Photo(
        photo_id=new_photo_id(), filename="a.jpg", content_type="image/jpeg", size_bytes=10, created_at=utc_now()
    )
    catalog.add(photo=photo)
    return photo


def raw_item(catalog, photo_id):
    return catalog.table.get_item(Key={"photo_id": photo_id}).get("Item")


def test_queued_to_processing_to_ready(catalog):
    photo = new_photo(catalog)
    assert raw_item(catalog, photo.photo_id)[ATTENTION_PARTITION] == "QUEUED"

    started = catalog.start_processing(photo_id=photo.photo_id)
    assert started.status is Status.PROCESSING and started.attempts == 1 and started.started_at

    assert catalog.mark_ready(photo_id=photo.photo_id, result=RESULT)
    ready = catalog.get(photo_id=photo.photo_id)
    assert ready.status is Status.READY and (ready.width, ready.height) == (3000, 4000)
    assert ready.exif["gps"]["lat"] == Decimal("48.858222")
    assert ready.thumbnails["small"].height == 256
    # READY items leave the sparse attention index.
    assert ATTENTION_PARTITION not in raw_item(catalog, photo.photo_id)


def test_a_redelivered_job_may_restart_processing_and_counts_attempts(catalog):
    photo = new_photo(catalog)
    catalog.start_processing(photo_id=photo.photo_id)
    assert catalog.start_processing(photo_id=photo.photo_id).attempts == 2


def test_finished_or_missing_photos_do_not_start(catalog):
    photo = new_photo(catalog)
    catalog.start_processing(photo_id=photo.photo_id)
    catalog.mark_ready(photo_id=photo.photo_id, result=RESULT)
    assert catalog.start_processing(photo_id=photo.photo_id) is None
    assert catalog.start_processing(photo_id=new_photo_id()) is None


def test_a_deleted_photo_is_never_resurrected(catalog):
    photo = new_photo(catalog)
    catalog.start_processing(photo_id=photo.photo_id)
    catalog.delete(photo_id=photo.photo_id)
    assert catalog.mark_ready(photo_id=photo.photo_id, result=RESULT) is False
    assert catalog.mark_failed(photo_id=photo.photo_id, error="x") is False
    assert raw_item(catalog, photo.photo_id) is None


def test_failure_keeps_a_short_reason_and_never_overrides_ready(catalog):
    photo = new_photo(catalog)
    assert catalog.mark_failed(photo_id=photo.photo_id, error="not readable " * 100)
    failed = catalog.get(photo_id=photo.photo_id)
    assert failed.status is Status.FAILED and len(failed.error) == 300
    assert raw_item(catalog, photo.photo_id)[ATTENTION_PARTITION] == "FAILED"

    other = new_photo(catalog)
    catalog.mark_ready(photo_id=other.photo_id, result=RESULT)
    assert catalog.mark_failed(photo_id=other.photo_id, error="late") is False
    assert catalog.get(photo_id=other.photo_id).status is Status.READY


def test_pages_are_newest_first_across_cursor(catalog):
    ids = [new_photo(catalog).photo_id for _ in range(5)]
    seen, cursor = [], None
    while True:
        page = catalog.page(limit=2, cursor=cursor)
        seen += [p.photo_id for p in page.photos]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == ids[::-1]


def test_neighbours_are_the_next_newer_and_older_photos(catalog):
    oldest, middle, newest = (new_photo(catalog) for _ in range(3))
    assert catalog.neighbours(photo=middle) == (
        catalog.get(photo_id=newest.photo_id),
        catalog.get(photo_id=oldest.photo_id),
    )
    newer, older = catalog.neighbours(photo=newest)
    assert newer is None and older.photo_id == middle.photo_id
    newer, older = catalog.neighbours(photo=oldest)
    assert newer.photo_id == middle.photo_id and older is None


def test_a_second_job_for_a_photo_in_processing_does_nothing(catalog):
    photo = new_photo(catalog)
    first = catalog.start_processing(photo_id=photo.photo_id, job_id="job-1")
    assert first.status is Status.PROCESSING and first.attempts == 1
    # The same photo sent twice: the other message finds it taken...
    assert catalog.start_processing(photo_id=photo.photo_id, job_id="job-2") is None
    # ...while the first job's own redelivery (or retry) may restart it.
    assert catalog.start_processing(photo_id=photo.photo_id, job_id="job-1").attempts == 2
    # Once the sweep queued it again, any job may take it.
    stuck = catalog.get(photo_id=photo.photo_id)
    assert catalog.requeue_stuck(photo=stuck)
    assert catalog.start_processing(photo_id=photo.photo_id, job_id="job-3").attempts == 3
