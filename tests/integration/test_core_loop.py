"""Upload → READY → browse → delete through the real web, worker, Redis and AWS emulator."""

from __future__ import annotations

import io
import os
import statistics
import time
from typing import Any

import pytest
import requests
from PIL import ExifTags, Image

from photoshare_devstack.stack import DevStack
from photoshare_shared.keys import original_key
from tests.support.client import ApiClient, accepted_id
from tests.support.waiting import SETTLED

pytestmark = pytest.mark.integration

# Where the test photo claims it was taken (the Eiffel Tower): 48°51'29.5"N 2°17'40.2"E.
LAT, LON = 48.858194, 2.2945


def make_jpeg(width: int = 1600, height: int = 1200) -> bytes:
    """A landscape JPEG whose EXIF says: rotate 90° clockwise to display (so portrait), with GPS."""
    img = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Photoshare Test Cam"
    exif[ExifTags.Base.Model] = "PT-1"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:05:17 14:03:09"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 29.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 17.0, 40.2)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    """One test photo, made once."""
    return make_jpeg()


def assert_no_trace(stack: DevStack, photo_id: str) -> None:
    """Neither S3 nor DynamoDB knows the photo any more."""
    assert [key for key in stack.s3_keys() if photo_id in key] == []
    assert stack.item(photo_id) is None


def open_s3_image(stack: DevStack, key: str) -> Image.Image:
    """Decode an image stored in the bucket."""
    body = stack.s3.get_object(Bucket=stack.settings.bucket, Key=key)["Body"].read()
    img = Image.open(io.BytesIO(body))
    img.load()
    return img


def assert_thumbnail(img: Image.Image, fmt: str, longest: int) -> None:
    """Portrait, fitted to `longest`, and stripped of EXIF (so of GPS too)."""
    assert img.format == fmt
    assert max(img.size) == longest
    assert img.height > img.width, f"not portrait: {img.size}"
    assert "exif" not in img.info
    assert len(img.getexif()) == 0


def test_upload_process_browse_delete(stack: DevStack, api: ApiClient, jpeg: bytes) -> None:
    """One photo through its whole life."""
    response = api.upload(jpeg, "eiffel.jpg")
    photo_id = accepted_id(response)
    assert response.headers["Location"].endswith(f"/api/photos/{photo_id}")
    assert response.json()["status"] in {"QUEUED", "PROCESSING", "READY"}

    original = stack.s3.get_object(Bucket=stack.settings.bucket, Key=original_key(photo_id))
    assert original["Body"].read() == jpeg
    item = stack.table.get_item(Key={"photo_id": photo_id}, ConsistentRead=True)["Item"]
    assert item["status"] in {"QUEUED", "PROCESSING", "READY"}

    photo = api.wait_for(photo_id, SETTLED, timeout=30)
    assert photo["status"] == "READY", photo
    item = stack.table.get_item(Key={"photo_id": photo_id}, ConsistentRead=True)["Item"]
    assert (item["width"], item["height"]) == (1200, 1600)  # EXIF orientation applied
    assert (photo["width"], photo["height"]) == (1200, 1600)

    assert_thumbnail(open_s3_image(stack, f"thumbnails/{photo_id}/small.webp"), "WEBP", 256)
    assert_thumbnail(open_s3_image(stack, f"thumbnails/{photo_id}/large.jpg"), "JPEG", 1280)

    # The position is its owner's: anyone else gets the rest of the EXIF without it.
    seen_by_others = requests.get(stack.url(f"/api/photos/{photo_id}"), timeout=10).json()["exif"]
    assert "gps" not in seen_by_others and seen_by_others["make"] == "Photoshare Test Cam"
    exif: dict[str, Any] = photo["exif"]
    assert exif["make"] == "Photoshare Test Cam"
    assert exif["model"] == "PT-1"
    assert exif["taken_at"].startswith("2024-05-17T14:03:09")
    assert exif["gps"]["lat"] == pytest.approx(LAT, abs=1e-5)
    assert exif["gps"]["lon"] == pytest.approx(LON, abs=1e-5)

    listing = requests.get(stack.url("/api/photos"), timeout=10)
    assert listing.status_code == 200
    assert listing.json()["items"][0]["id"] == photo_id

    small = requests.get(photo["thumbnails"]["small"]["url"], timeout=10)
    assert small.status_code == 200
    assert Image.open(io.BytesIO(small.content)).format == "WEBP"

    assert api.delete_photo(photo_id).status_code == 204
    assert requests.get(stack.url(f"/api/photos/{photo_id}"), timeout=10).status_code == 404
    assert_no_trace(stack, photo_id)


def test_text_file_is_refused_and_stores_nothing(stack: DevStack, api: ApiClient) -> None:
    """Content decides, not the name or the client's Content-Type: 415, and nothing is written."""
    keys_before, ids_before = stack.s3_keys(), stack.item_ids()
    response = api.upload(b"just some text, not a photo\n" * 20, "notes.jpg", "image/jpeg")
    assert response.status_code == 415, response.text
    assert stack.s3_keys() - keys_before == set()
    assert stack.item_ids() - ids_before == set()


def test_upload_without_file_is_a_bad_request(api: ApiClient) -> None:
    """A form without the `file` field: 400."""
    response = api.post(api.url("/api/photos"), data={"caption": "no file"}, timeout=10)
    assert response.status_code == 400, response.text


def test_median_upload_to_ready(api: ApiClient, jpeg: bytes) -> None:
    """Measure (never assert) how long a photo takes from upload to READY, one at a time."""
    durations, photo_ids = [], []
    for _ in range(5):
        started = time.perf_counter()
        # 16 random bytes after the image's end (decoders ignore them): a new photo each time,
        # where the same bytes again would be a duplicate of the first.
        photo_id = accepted_id(api.upload(jpeg + os.urandom(16), "eiffel.jpg"))
        photo = api.wait_for(photo_id, SETTLED, timeout=30)
        durations.append(time.perf_counter() - started)
        photo_ids.append(photo_id)
        assert photo["status"] == "READY", photo
    print(
        f"\nupload→READY over {len(durations)} uploads of a 1600×1200 JPEG: "
        f"median {statistics.median(durations) * 1000:.0f} ms "
        f"(min {min(durations) * 1000:.0f}, max {max(durations) * 1000:.0f})"
    )
    for photo_id in photo_ids:
        assert api.delete_photo(photo_id).status_code == 204
