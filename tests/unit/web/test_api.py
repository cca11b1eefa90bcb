"""The JSON API through Flask's test client, with S3 and DynamoDB in moto."""

import os
from io import BytesIO

import pytest
from kombu.exceptions import OperationalError
from werkzeug.http import parse_options_header

from photoshare_shared.imageformats import ACCEPTED_NAMES
from photoshare_shared.photo import ProcessingResult, Status, Thumbnail
from tests.support.images import photo_bytes


def upload(client, data: bytes, filename: str = "holiday.jpg", content_type: str = "image/jpeg"):
    return client.post(
        "/api/photos", data={"file": (BytesIO(data), filename, content_type)}, content_type="multipart/form-data"
    )


def bucket_keys(store_client, bucket: str) -> list[str]:
    return [obj["Key"] for obj in store_client.list_objects_v2(Bucket=bucket).get("Contents", [])]


@pytest.fixture
def s3(store):
    return store.client


def test_upload_stores_original_records_queued_item_and_enqueues(client, settings, catalog, publisher, s3):
    response = upload(client, photo_bytes(), filename="../../etc/Holiday <1>.jpg")

    assert response.status_code == 202
    body = response.get_json()
    assert response.headers["Location"] == f"/api/photos/{body['id']}"
    assert body["status"] == "QUEUED"
    assert body["filename"] == "Holiday <1>.jpg"  # display text only: the path is gone
    assert body["content_type"] == "image/jpeg"
    assert body["thumbnails"] is None
    assert publisher.published == [body["id"]]
    assert bucket_keys(s3, settings.bucket) == [f"originals/{body['id']}"]
    stored = catalog.get(photo_id=body["id"])
    assert stored.status is Status.QUEUED and stored.size_bytes == len(photo_bytes())


def test_format_is_decided_by_content_not_name_or_header(client):
    png = photo_bytes(format="PNG")
    response = upload(client, png, filename="fake.jpg", content_type="image/jpeg")
    assert response.status_code == 202
    assert response.get_json()["content_type"] == "image/png"


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "WEBP"])
def test_other_accepted_formats(client, fmt):
    assert upload(client, photo_bytes(format=fmt), filename=f"x.{fmt.lower()}").status_code == 202


@pytest.mark.parametrize(
    "payload",
    [
        b"just some text, not an image",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<html><body>hi</body></html>",
    ],
    ids=["text", "pdf", "svg", "html"],
)
def test_non_images_are_refused_with_415_and_nothing_kept(client, settings, s3, publisher, payload):
    response = upload(client, payload, filename="photo.jpg")
    assert response.status_code == 415
    assert ACCEPTED_NAMES in response.get_json()["error"]
    assert bucket_keys(s3, settings.bucket) == []
    assert publisher.published == []


def test_tiff_is_refused_even_though_pillow_reads_it(client):
    out = BytesIO()
    from PIL import Image

    Image.new("RGB", (8, 8)).save(out, "TIFF")
    assert upload(client, out.getvalue(), filename="scan.tif").status_code == 415


def test_missing_file_is_400(client):
    response = client.post("/api/photos", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "file" in response.get_json()["error"]


def test_empty_file_is_400(client):
    response = upload(client, b"")
    assert response.status_code in (400,)
    assert response.get_json()["error"]


def test_two_files_in_one_request_is_400(client):
    data = {"file": [(BytesIO(photo_bytes()), "a.jpg"), (BytesIO(photo_bytes()), "b.jpg")]}
    response = client.post("/api/photos", data=data, content_type="multipart/form-data")
    assert response.status_code == 400


def test_too_large_is_413_json(client, settings, s3):
    big = b"\xff\xd8\xff" + b"0" * (settings.max_upload_bytes + 10)
    response = upload(client, big)
    assert response.status_code == 413
    assert f"{settings.max_upload_mb} MB" in response.get_json()["error"]
    assert bucket_keys(s3, settings.bucket) == []


def test_too_many_pixels_is_415(client, app, settings):
    app.extensions["photoshare"] = app.extensions["photoshare"].__class__(
        **{**vars(app.extensions["photoshare"]), "settings": settings.model_copy(update={"max_image_pixels": 1000})}
    )
    response = upload(client, photo_bytes(100, 100))
    assert response.status_code == 415
    assert "100×100" in response.get_json()["error"]


def test_get_unknown_and_malformed_ids_are_404(client):
    assert client.get("/api/photos/01HZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404
    response = client.get("/api/photos/..%2f..%2fetc")
    assert response.status_code == 404
    assert response.is_json


def test_list_is_newest_first_and_pages_with_cursor(client):
    ids = [upload(client, photo_bytes(32, 32), filename=f"{n}.jpg").get_json()["id"] for n in range(5)]

    first = client.get("/api/photos?limit=2").get_json()
    second = client.get(f"/api/photos?limit=2&cursor={first['next_cursor']}").get_json()
    third = client.get(f"/api/photos?limit=2&cursor={second['next_cursor']}").get_json()

    seen = [p["id"] for page in (first, second, third) for p in page["items"]]
    assert seen == list(reversed(ids))
    assert third["next_cursor"] is None


def test_exact_last_page_has_no_cursor(client):
    for n in range(2):
        upload(client, photo_bytes(16, 16), filename=f"{n}.jpg")
    page = client.get("/api/photos?limit=2").get_json()
    assert len(page["items"]) == 2 and page["next_cursor"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=abc", "cursor=garbage!!", "cursor=e30"])
def test_bad_list_parameters_are_400(client, query):
    response = client.get(f"/api/photos?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_ready_photo_json_has_thumbnails_exif_and_download_url(client, catalog, settings):
    photo_id = upload(client, photo_bytes(), filename="café.jpg").get_json()["id"]
    catalog.start_processing(photo_id=photo_id)
    catalog.mark_ready(
        photo_id=photo_id,
        result=ProcessingResult(
            width=480,
            height=640,
            format="JPEG",
            sha256="ab" * 32,
            average_color="#7a8b9c",
            exif={"make": "Canon", "iso": 200, "exposure_time": __import__("decimal").Decimal("0.004")},
            thumbnails={
                "small": Thumbnail(
                    key=f"thumbnails/{photo_id}/small.webp", width=192, height=256, content_type="image/webp"
                )
            },
        ),
    )
    body = client.get(f"/api/photos/{photo_id}").get_json()
    assert body["status"] == "READY" and body["average_color"] == "#7a8b9c"
    assert (body["width"], body["height"]) == (480, 640)
    assert body["exif"] == {"make": "Canon", "iso": 200, "exposure_time": 0.004}
    small = body["thumbnails"]["small"]
    assert (small["width"], small["height"]) == (192, 256)
    assert f"/{settings.bucket}/thumbnails/{photo_id}/small.webp" in small["url"]
    assert body["original_url"] == f"/photos/{photo_id}/original"


def test_delete_removes_item_and_every_object(client, settings, s3, store, catalog):
    photo_id = upload(client, photo_bytes()).get_json()["id"]
    from photoshare_shared.imageformats import THUMBNAIL_SPECS

    for spec in THUMBNAIL_SPECS:
        store.put_thumbnail(photo_id=photo_id, spec=spec, data=b"x")
    assert len(bucket_keys(s3, settings.bucket)) == 3

    assert client.delete(f"/api/photos/{photo_id}").status_code == 204
    assert client.get(f"/api/photos/{photo_id}").status_code == 404
    assert client.delete(f"/api/photos/{photo_id}").status_code == 404
    assert bucket_keys(s3, settings.bucket) == []
    assert catalog.get(photo_id=photo_id) is None


def test_healthz_and_readyz(client, publisher):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"redis": "ok", "s3": "ok", "dynamodb": "ok"}
    publisher.error = OperationalError("down")
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.get_json()["checks"]["redis"].startswith("unavailable")


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and "error" in response.get_json()


@pytest.mark.parametrize("side", [300, 700, 1100])
def test_photos_of_every_size_under_the_limit_are_accepted(client, side):
    """Regression: parts between Werkzeug's in-memory and spool thresholds must pass too."""
    from PIL import Image

    out = BytesIO()
    Image.effect_noise((side, side), 90).convert("RGB").save(out, "JPEG", quality=95)
    assert 40_000 < len(out.getvalue()) < 2 * 1024 * 1024
    assert upload(client, out.getvalue()).status_code == 202


def test_original_downloads_as_an_attachment_that_is_never_sniffed(client):
    # A polyglot: a valid JPEG with an HTML page appended.
    polyglot = photo_bytes(64, 48) + b"<html><script>alert(document.cookie)</script></html>"
    photo_id = upload(client, polyglot, filename="café <b> 📷.jpg").get_json()["id"]

    response = client.get(f"/photos/{photo_id}/original")

    assert response.status_code == 200
    assert response.get_data() == polyglot
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Length"] == str(len(polyglot))
    disposition = response.headers["Content-Disposition"]
    assert (
        disposition.startswith("attachment;")
        and "filename*=UTF-8''caf%C3%A9%20%3Cb%3E%20%F0%9F%93%B7.jpg" in disposition
    )


@pytest.mark.parametrize(
    ("uploaded_as", "image_format", "offered_as"),
    [
        ("invoice.html", "JPEG", "invoice.jpg"),
        ("setup.exe", "PNG", "setup.png"),
        ("holiday.jpg", "WEBP", "holiday.webp"),
        ("archive.tar.gz", "GIF", "archive.tar.gif"),
        ("no extension", "JPEG", "no extension.jpg"),
        (".htaccess", "PNG", ".htaccess.png"),
    ],
)
def test_the_original_is_offered_under_the_extension_of_its_checked_format(
    client, uploaded_as, image_format, offered_as
):
    photo_id = upload(client, photo_bytes(32, 24, format=image_format), filename=uploaded_as).get_json()["id"]
    response = client.get(f"/photos/{photo_id}/original")
    assert response.status_code == 200
    assert parse_options_header(response.headers["Content-Disposition"]) == ("attachment", {"filename": offered_as})
    # The photo keeps the name it was uploaded under, for people to read.
    assert client.get(f"/api/photos/{photo_id}").get_json()["filename"] == uploaded_as


def test_original_of_unknown_photo_is_404(client):
    assert client.get("/photos/01HZZZZZZZZZZZZZZZZZZZZZZZ/original").status_code == 404


def test_a_large_upload_streams_to_s3_from_disk(make_app, alice, settings, s3, monkeypatch):
    """Over 500 KB the file waits in a named temporary file, which boto3 sends part by part from
    disk (upload_file reads each part as it goes), never copying a 5 MB part into memory."""
    client = make_app(max_upload_mb=20).test_client()
    data = photo_bytes(64, 48) + bytes(range(256)) * (9 * 1024 * 1024 // 256)  # a JPEG, trailing bytes kept
    sent_from: list[str] = []
    real_upload_file = s3.upload_file

    def upload_file(path: str, *args, **kwargs):
        sent_from.append(path)
        return real_upload_file(path, *args, **kwargs)

    monkeypatch.setattr(s3, "upload_file", upload_file)
    monkeypatch.setattr(s3, "upload_fileobj", lambda *a, **kw: pytest.fail("a stream was copied part by part"))
    response = client.post(
        "/api/photos",
        data={"file": (BytesIO(data), "big.jpg", "image/jpeg")},
        content_type="multipart/form-data",
        headers=alice.bearer,
    )
    assert response.status_code == 202, response.get_json()
    stored = s3.get_object(Bucket=settings.bucket, Key=f"originals/{response.get_json()['id']}")
    assert stored["Body"].read() == data and stored["ETag"].strip('"').endswith("-2")
    [path] = sent_from
    assert not os.path.exists(path)  # the temporary file is gone with the request
