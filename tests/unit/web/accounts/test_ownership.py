"""Who may do what: nobody writes anonymously (401), only a photo's owner deletes or retries it
(403 for others), "My photos" lists only one's own, and the pages show owners' controls to owners."""

import re
from dataclasses import replace
from io import BytesIO

import pytest

from photoshare_shared.photo import Status
from photoshare_web import operations
from tests.support.images import photo_bytes


def upload(client) -> str:
    response = client.post(
        "/api/photos",
        data={"file": (BytesIO(photo_bytes(64, 48)), "mine.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def fail(catalog, photo_id: str) -> None:
    assert catalog.start_processing(photo_id=photo_id)
    assert catalog.mark_failed(photo_id=photo_id, error="the image data is truncated or corrupt")


@pytest.fixture
def alices_photo(client) -> str:
    return upload(client)


def test_anonymous_upload_delete_and_retry_are_401(anonymous, alices_photo, catalog, publisher):
    fail(catalog, alices_photo)
    published = list(publisher.published)
    assert anonymous.post("/api/photos", data={"file": (BytesIO(photo_bytes()), "a.jpg")}).status_code == 401
    for response in (
        anonymous.delete(f"/api/photos/{alices_photo}"),
        anonymous.post(f"/api/photos/{alices_photo}/retry"),
        anonymous.post("/api/jobs/retry-failed"),
    ):
        assert response.status_code == 401
        assert response.get_json()["error"].startswith("Sign in to ")
    assert catalog.get(photo_id=alices_photo).status is Status.FAILED
    assert publisher.published == published


def test_anonymous_delete_of_an_unknown_photo_is_still_401(anonymous):
    assert anonymous.delete("/api/photos/01JD7Q3KX5V8S9T0ZQ4M2N6P8R").status_code == 401


def test_only_the_owner_deletes(client, bob_client, alices_photo, catalog):
    response = bob_client.delete(f"/api/photos/{alices_photo}")
    assert response.status_code == 403
    assert response.get_json()["error"] == "Only the person who uploaded this photo can delete it."
    assert catalog.get(photo_id=alices_photo) is not None
    assert client.delete(f"/api/photos/{alices_photo}").status_code == 204
    assert catalog.get(photo_id=alices_photo) is None


def test_only_the_owner_retries(client, bob_client, alices_photo, catalog, publisher):
    fail(catalog, alices_photo)
    assert bob_client.post(f"/api/photos/{alices_photo}/retry").status_code == 403
    assert catalog.get(photo_id=alices_photo).status is Status.FAILED
    assert client.post(f"/api/photos/{alices_photo}/retry").status_code == 202
    assert catalog.get(photo_id=alices_photo).status is Status.QUEUED


def test_retry_all_failed_retries_only_ones_own(client, bob_client, alices_photo, catalog):
    bobs = upload(bob_client)
    fail(catalog, alices_photo)
    fail(catalog, bobs)
    assert bob_client.post("/api/jobs/retry-failed").get_json() == {"retried": 1}
    assert catalog.get(photo_id=bobs).status is Status.QUEUED
    assert catalog.get(photo_id=alices_photo).status is Status.FAILED


def test_retry_all_failed_reaches_ones_older_failures_past_everyone_elses(
    client, bob_client, alices_photo, catalog, monkeypatch
):
    """A batch holds the owner's newest failures, however many newer ones other people have."""
    monkeypatch.setattr(operations, "_RETRY_ALL_BATCH", 2)
    fail(catalog, alices_photo)
    for bobs in [upload(bob_client) for _ in range(3)]:
        fail(catalog, bobs)
    assert client.post("/api/jobs/retry-failed").get_json() == {"retried": 1}
    assert catalog.get(photo_id=alices_photo).status is Status.QUEUED
    assert bob_client.post("/api/jobs/retry-failed").get_json() == {"retried": 2}  # a batch


def test_photos_from_before_accounts_belong_to_nobody(client, catalog, alices_photo):
    legacy = replace(
        catalog.get(photo_id=alices_photo), photo_id="01JD7Q3KX5V8S9T0ZQ4M2N6P8R", owner_id=None, owner_name=None
    )
    catalog.add(photo=legacy)
    assert client.delete(f"/api/photos/{legacy.photo_id}").status_code == 403
    assert client.get(f"/api/photos/{legacy.photo_id}").get_json()["owner"] is None


def test_my_photos_lists_only_ones_own(client, bob_client, anonymous, alices_photo):
    bobs = upload(bob_client)
    assert [p["id"] for p in client.get("/api/photos?owner=me").get_json()["items"]] == [alices_photo]
    assert [p["id"] for p in bob_client.get("/api/photos?owner=me").get_json()["items"]] == [bobs]
    assert {p["id"] for p in anonymous.get("/api/photos").get_json()["items"]} == {alices_photo, bobs}
    assert anonymous.get("/api/photos?owner=me").status_code == 401
    assert client.get("/api/photos?owner=bob").status_code == 400


def test_a_cursor_of_one_list_is_refused_by_another(client, bob_client):
    for _ in range(3):
        upload(client)
    cursor = client.get("/api/photos?owner=me&limit=1").get_json()["next_cursor"]
    assert client.get(f"/api/photos?cursor={cursor}").status_code == 400
    assert bob_client.get(f"/api/photos?owner=me&cursor={cursor}").status_code == 400


def test_pages_need_sign_in_to_upload_and_see_my_photos(anonymous):
    for path in ("/upload", "/mine"):
        response = anonymous.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/signin?next={path}"
    gallery = anonymous.get("/").get_data(as_text=True)
    assert "data-uploader" not in gallery and "to share your photos" in gallery


def test_the_photo_page_shows_delete_and_retry_to_the_owner_only(client, bob_client, anonymous, alices_photo, catalog):
    fail(catalog, alices_photo)
    mine = client.get(f"/photos/{alices_photo}").get_data(as_text=True)
    assert "Delete…" in mine and "Retry processing" in mine and "alice</span> (you)" in mine
    for other in (bob_client, anonymous):
        page = other.get(f"/photos/{alices_photo}").get_data(as_text=True)
        assert "Delete…" not in page and "Retry processing" not in page and "delete-dialog" not in page
        assert re.search(r"Shared by <span class=\"owner-name\">alice</span></p>", page)
    assert bob_client.get(f"/photos/{alices_photo}/delete").status_code == 403


def test_a_delete_form_posted_by_someone_else_is_403(bob_client, alices_photo, catalog):
    page = bob_client.get("/jobs").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = bob_client.post(f"/photos/{alices_photo}/delete", data={"csrf_token": token})
    assert response.status_code == 403
    assert "Only the person who uploaded this photo can delete it." in response.get_data(as_text=True)
    assert catalog.get(photo_id=alices_photo) is not None
