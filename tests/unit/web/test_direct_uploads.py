"""Direct uploads: presigned multipart URLs, resuming, completion, cancelling and duplicates.

The client's PUTs go to the presigned URLs with `requests`, which moto intercepts like S3 would
answer them: the web only signs and asks S3 about parts.
"""

import hashlib
from io import BytesIO

import pytest
import requests

from photoshare_shared import keys
from tests.support.images import photo_bytes


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def start(client, data: bytes, filename: str = "beach.jpg", **changes):
    body = {"filename": filename, "size": len(data), "sha256": sha(data), **changes}
    return client.post("/api/uploads", json=body)


def send_parts(started: dict, data: bytes, numbers=None) -> list[dict]:
    """PUT each part to its URL as a client would; the parts' numbers and ETags."""
    size = started["part_size"]
    sent = []
    for part in started["parts"]:
        if numbers is not None and part["number"] not in numbers:
            continue
        chunk = data[(part["number"] - 1) * size : part["number"] * size]
        answer = requests.put(part["url"], data=chunk, timeout=10)
        assert answer.status_code == 200, answer.text
        sent.append({"number": part["number"], "etag": answer.headers["ETag"]})
    return sent


@pytest.fixture
def app(make_app):
    # Parts of S3's smallest size, and room for three of them.
    return make_app(max_upload_mb=16, upload_part_mb=5)


@pytest.fixture
def limits(app):
    """The settings this module's app runs with."""
    return app.extensions["photoshare"].settings


@pytest.fixture
def s3(store):
    return store.client


def bucket_keys(s3, bucket: str) -> list[str]:
    return sorted(obj["Key"] for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_start_hands_out_one_url_per_part(client, limits):
    data = b"x" * (limits.upload_part_bytes + 10)
    answer = start(client, data)
    assert answer.status_code == 201
    body = answer.get_json()
    assert keys.is_photo_id(body["upload_id"])
    assert body["part_size"] == limits.upload_part_bytes
    assert [p["number"] for p in body["parts"]] == [1, 2]
    assert answer.headers["Location"] == f"/api/uploads/{body['upload_id']}"


def test_a_size_over_the_limit_is_refused_before_any_byte_moves(client, settings, limits, s3):
    answer = client.post(
        "/api/uploads", json={"filename": "big.jpg", "size": limits.max_upload_bytes + 1, "sha256": "a" * 64}
    )
    assert answer.status_code == 413
    assert "MB limit" in answer.get_json()["error"]
    assert s3.list_multipart_uploads(Bucket=settings.bucket).get("Uploads", []) == []


@pytest.mark.parametrize(
    "body, says",
    [
        ({"size": 10, "sha256": "a" * 64}, "filename"),
        ({"filename": "a.jpg", "size": 0, "sha256": "a" * 64}, "size"),
        ({"filename": "a.jpg", "size": "10", "sha256": "a" * 64}, "size"),
        ({"filename": "a.jpg", "size": 10, "sha256": "xyz"}, "sha256"),
    ],
)
def test_bad_declarations_get_400(client, body, says):
    answer = client.post("/api/uploads", json=body)
    assert answer.status_code == 400
    assert says in answer.get_json()["error"]


def test_signing_in_is_required(anonymous):
    assert anonymous.post("/api/uploads", json={"filename": "a.jpg", "size": 1, "sha256": "a" * 64}).status_code == 401


def test_a_whole_upload_becomes_a_queued_photo_and_its_job_is_sent(client, settings, catalog, publisher, s3):
    data = photo_bytes()
    started = start(client, data, filename="../Beach <1>.jpg").get_json()
    parts = send_parts(started, data)

    answer = client.post(f"/api/uploads/{started['upload_id']}/complete", json={"parts": parts})

    assert answer.status_code == 202
    photo = answer.get_json()
    assert photo["id"] == started["upload_id"]
    assert answer.headers["Location"] == f"/api/photos/{photo['id']}"
    assert photo["status"] == "QUEUED"
    assert photo["filename"] == "Beach <1>.jpg"
    assert photo["size_bytes"] == len(data)
    assert publisher.published == [photo["id"]]
    # The bytes now live at the photo's original key; nothing is left under uploads/.
    assert bucket_keys(s3, settings.bucket) == [keys.original_key(photo["id"])]
    assert s3.get_object(Bucket=settings.bucket, Key=keys.original_key(photo["id"]))["Body"].read() == data


def test_resuming_lists_the_parts_s3_has_and_only_the_rest_is_sent(client, limits):
    data = photo_bytes() + b"\0" * (limits.upload_part_bytes * 2)  # three parts
    started = start(client, data).get_json()
    first = send_parts(started, data, numbers={1, 2})

    status = client.get(f"/api/uploads/{started['upload_id']}?parts=3")

    assert status.status_code == 200
    received = status.get_json()["received"]
    assert [(p["number"], p["size"]) for p in received] == [
        (1, limits.upload_part_bytes),
        (2, limits.upload_part_bytes),
    ]
    assert [p["etag"] for p in received] == [p["etag"] for p in first]
    fresh = status.get_json()
    rest = send_parts({"part_size": fresh["part_size"], "parts": fresh["parts"]}, data, numbers={3})
    answer = client.post(f"/api/uploads/{started['upload_id']}/complete", json={"parts": first + rest})
    assert answer.status_code == 202
    assert answer.get_json()["size_bytes"] == len(data)


def test_completing_with_a_missing_part_says_which(client):
    data = b"y" * 100
    started = start(client, data).get_json()
    answer = client.post(
        f"/api/uploads/{started['upload_id']}/complete", json={"parts": [{"number": 1, "etag": '"abc"'}]}
    )
    assert answer.status_code == 400
    assert "does not have every part listed" in answer.get_json()["error"]


def test_more_bytes_than_declared_are_refused_and_removed(client, settings, s3, catalog, publisher):
    data = photo_bytes()
    started = start(client, data[:-10], filename="short.jpg").get_json()  # declares 10 bytes fewer
    parts = send_parts(started, data)

    answer = client.post(f"/api/uploads/{started['upload_id']}/complete", json={"parts": parts})

    assert answer.status_code == 400
    assert "declared" in answer.get_json()["error"]
    assert bucket_keys(s3, settings.bucket) == []
    assert catalog.get(photo_id=started["upload_id"]) is None
    assert publisher.published == []


def test_cancel_aborts_and_the_upload_is_gone(client, settings, s3):
    data = b"z" * 100
    started = start(client, data).get_json()
    send_parts(started, data)

    assert client.delete(f"/api/uploads/{started['upload_id']}").status_code == 204
    assert s3.list_multipart_uploads(Bucket=settings.bucket).get("Uploads", []) == []
    assert client.get(f"/api/uploads/{started['upload_id']}").status_code == 404
    assert client.delete(f"/api/uploads/{started['upload_id']}").status_code == 404


def test_another_account_cannot_see_or_cancel_an_upload(client, bob_client):
    started = start(client, b"q" * 10).get_json()
    assert bob_client.get(f"/api/uploads/{started['upload_id']}").status_code == 404
    assert bob_client.delete(f"/api/uploads/{started['upload_id']}").status_code == 404
    assert (
        bob_client.post(
            f"/api/uploads/{started['upload_id']}/complete", json={"parts": [{"number": 1, "etag": "e"}]}
        ).status_code
        == 404
    )
    assert client.get(f"/api/uploads/{started['upload_id']}").status_code == 200


def test_completing_twice_gives_the_same_photo(client, publisher):
    data = photo_bytes()
    started = start(client, data).get_json()
    parts = send_parts(started, data)
    first = client.post(f"/api/uploads/{started['upload_id']}/complete", json={"parts": parts})
    again = client.post(f"/api/uploads/{started['upload_id']}/complete", json={"parts": parts})
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert publisher.published == [first.get_json()["id"]]


def test_the_same_bytes_again_are_named_as_the_earlier_photo_without_urls(client, bob_client, catalog):
    data = photo_bytes()
    started = start(client, data).get_json()
    photo = client.post(
        f"/api/uploads/{started['upload_id']}/complete", json={"parts": send_parts(started, data)}
    ).get_json()

    again = start(client, data, filename="copy.jpg")

    assert again.status_code == 200
    assert again.get_json() == {"duplicate_of": client.get(f"/api/photos/{photo['id']}").get_json()}
    # Duplicates are per owner: another account's same bytes are a new photo.
    assert start(bob_client, data).status_code == 201


def test_the_multipart_post_path_names_duplicates_too(client, catalog, publisher):
    data = photo_bytes()
    first = client.post("/api/photos", data={"file": (BytesIO(data), "a.jpg")}, content_type="multipart/form-data")
    second = client.post("/api/photos", data={"file": (BytesIO(data), "b.jpg")}, content_type="multipart/form-data")
    assert first.status_code == 202
    assert second.status_code == 200
    assert second.get_json()["duplicate_of"]["id"] == first.get_json()["id"]
    assert publisher.published == [first.get_json()["id"]]
    # And a direct upload of those bytes finds the photo the POST made.
    assert start(client, data).get_json()["duplicate_of"]["id"] == first.get_json()["id"]


def test_a_duplicate_finished_meanwhile_is_answered_at_completion(client, settings, s3, publisher):
    data = photo_bytes()
    one = start(client, data).get_json()
    two = start(client, data).get_json()  # both started before either finished
    photo = client.post(f"/api/uploads/{one['upload_id']}/complete", json={"parts": send_parts(one, data)}).get_json()

    answer = client.post(f"/api/uploads/{two['upload_id']}/complete", json={"parts": send_parts(two, data)})

    assert answer.status_code == 200
    assert answer.get_json()["duplicate_of"]["id"] == photo["id"]
    assert bucket_keys(s3, settings.bucket) == [keys.original_key(photo["id"])]
    assert publisher.published == [photo["id"]]


def test_the_pages_may_send_parts_to_the_s3_endpoint_and_nowhere_else(client, store):
    csp = client.get("/").headers["Content-Security-Policy"]
    [connect] = [d.strip() for d in csp.split(";") if d.strip().startswith("connect-src")]
    assert connect.split()[1:] == ["'self'", store.browser_origin]


def test_a_direct_upload_is_private_unless_it_or_the_account_says_public(client, anonymous):
    def direct(**completion) -> dict:
        data = photo_bytes()
        started = start(client, data).get_json()
        body = {"parts": send_parts(started, data), **completion}
        answer = client.post(f"/api/uploads/{started['upload_id']}/complete", json=body)
        assert answer.status_code == 202, answer.get_json()
        return answer.get_json()

    assert direct()["visibility"] == "private"  # the site's default
    public = direct(visibility="public")
    assert public["visibility"] == "public"
    client.patch("/api/account/preferences", json={"default_visibility": "public"})
    assert direct()["visibility"] == "public"
    assert direct(visibility="private")["visibility"] == "private"
    # Only the public ones are in the gallery anyone sees.
    listed = [p["id"] for p in anonymous.get("/api/photos").get_json()["items"]]
    assert public["id"] in listed and len(listed) == 2
