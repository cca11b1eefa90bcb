"""Fixtures of the sharing tests: alice's photos (one with a GPS position), her album and links."""

from dataclasses import dataclass
from typing import Any

import pytest
from sharingkit import upload

from photoshare_worker.processing import run_photo_job
from tests.support.images import CAMERA_EXIF, GPS_NORTH_EAST, photo_bytes


@dataclass(frozen=True)
class Shared:
    """alice's world: a private photo with a position, a public one, an album holding the private
    one, and links to the album."""

    gps_photo: str
    public_photo: str
    album: str
    link: dict[str, Any]  # to the album, no password
    password_link: dict[str, Any]  # to the album, password "open sesame"
    photo_link: dict[str, Any]  # to the public photo only
    other_album: str  # an album of alice's that no link covers
    other_photo: str  # in other_album only, private


@pytest.fixture
def ready(store, catalog, settings):
    """Process an uploaded photo as the worker would."""

    def run(photo_id: str) -> str:
        run_photo_job(photo_id, store=store, catalog=catalog, settings=settings)
        return photo_id

    return run


@pytest.fixture
def shared(client, ready) -> Shared:
    gps_photo = ready(
        upload(client, data=photo_bytes(320, 240, exif=CAMERA_EXIF, gps=GPS_NORTH_EAST), name="where.jpg")
    )
    public_photo = ready(upload(client, visibility="public", name="public.jpg"))
    other_photo = ready(upload(client, name="other.jpg"))
    album = client.post("/api/albums", json={"title": "Paris"}).get_json()["id"]
    other_album = client.post("/api/albums", json={"title": "Elsewhere"}).get_json()["id"]
    assert client.post(f"/api/albums/{album}/photos", json={"photo_ids": [gps_photo]}).status_code == 200
    assert client.post(f"/api/albums/{other_album}/photos", json={"photo_ids": [other_photo]}).status_code == 200
    link = client.post("/api/shares", json={"album_id": album}).get_json()
    password_link = client.post("/api/shares", json={"album_id": album, "password": "open sesame"}).get_json()
    photo_link = client.post("/api/shares", json={"photo_id": public_photo}).get_json()
    return Shared(gps_photo, public_photo, album, link, password_link, photo_link, other_album, other_photo)
