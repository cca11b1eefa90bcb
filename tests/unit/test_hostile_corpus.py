"""Every file of the hostile corpus gets its expected answer: at upload, then from the worker."""

from io import BytesIO

import pytest

from photoshare_worker.processing import run_photo_job
from tests.support.hostile import CORPUS, Case


def test_the_corpus_is_large_and_covers_every_category():
    assert len(CORPUS) >= 50
    assert len({case.name for case in CORPUS}) == len(CORPUS)
    assert {case.category for case in CORPUS} >= {
        "valid",
        "extreme",
        "animated",
        "polyglot",
        "exif",
        "not-accepted",
        "bomb",
        "empty",
        "corrupt",
    }


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_each_file_gets_its_expected_answer(case: Case, client, store, catalog, settings):
    data = case.make()
    # Named like a photo and sent as one: only the content decides.
    response = client.post(
        "/api/photos",
        data={"file": (BytesIO(data), "holiday.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == case.upload_status, response.get_json()
    body = response.get_json()
    if case.upload_status != 202:
        assert body["error"] and "Traceback" not in body["error"]
        assert catalog.page(limit=5).photos == []
        return

    run_photo_job(body["id"], store=store, catalog=catalog, settings=settings)
    photo = catalog.get(photo_id=body["id"])
    assert photo.status.value == case.final_status, photo.error
    if case.final_status == "FAILED":
        assert case.error_contains in photo.error
    else:
        assert photo.thumbnails["small"].width <= 256 and photo.thumbnails["large"].height <= 1280
        for value in photo.exif.values():
            assert len(str(value)) <= 200  # cleaned and bounded
