"""Odd input is a 4xx with a message that names the real problem: never a 500, never a stack trace."""

import logging
from io import BytesIO

import pytest

from tests.support.images import photo_bytes


@pytest.fixture(autouse=True)
def no_errors_logged(caplog):
    """A 500 logs its stack trace at ERROR: none of these requests may."""
    with caplog.at_level(logging.ERROR):
        yield
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


# "²" and "١٢" (Arabic-Indic digits) pass str.isdigit() yet int() refuses the first; "1e3", "+5" and
# " 5" are numbers to some parsers but not the whole number the message asks for.
@pytest.mark.parametrize("limit", ["²", "١٢", "", "0", "101", "-1", "+5", " 5", "1e3", "5.0", "9" * 5000])
def test_a_page_size_that_is_not_a_whole_number_in_range_is_a_400(client, limit):
    response = client.get("/api/photos", query_string={"limit": limit})
    assert response.status_code == 400
    assert response.get_json()["error"] == "limit must be a whole number from 1 to 100."


def test_a_page_size_in_range_is_used(client):
    assert client.get("/api/photos", query_string={"limit": "100"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than the JSON parser can recurse
        '{"username": ' * 50_000 + '"x"' + "}" * 50_000,
        "not json",
        '["username", "password"]',
    ],
)
def test_a_token_request_that_is_not_a_json_object_is_a_400(anonymous, body):
    response = anonymous.post("/api/auth/token", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("Send JSON: ")


def multipart(fields: dict[str, object]) -> dict[str, object]:
    return {"data": fields, "content_type": "multipart/form-data"}


def test_a_form_of_too_many_parts_is_a_400_that_says_so(client):
    fields = {"file": (BytesIO(photo_bytes(16, 16)), "a.jpg"), **{f"extra{i}": "x" for i in range(10)}}
    response = client.post("/api/photos", **multipart(fields))
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "The form has more than 10 parts (fields and files); an upload needs only the photo, as the field 'file'."
    )


def test_a_long_text_field_is_a_413_that_names_the_field_limit_not_the_file_limit(client):
    fields = {"file": (BytesIO(photo_bytes(16, 16)), "a.jpg"), "note": "x" * (2 * 1024 * 1024)}
    response = client.post("/api/photos", **multipart(fields))
    assert response.status_code == 413
    assert response.get_json()["error"] == "A text field of the form is over 500 KB; only the photo may be large."


def test_the_form_limits_are_explained_on_the_pages_too(client):
    fields = {f"field{i}": "x" for i in range(11)}
    response = client.post("/upload", **multipart(fields))
    assert response.status_code == 400
    assert "more than 10 parts" in response.get_data(as_text=True)


def test_a_body_over_the_upload_limit_still_names_the_file_limit(client, settings):
    big = b"\xff\xd8\xff" + b"0" * (settings.max_upload_bytes + 100 * 1024)
    response = client.post("/api/photos", **multipart({"file": (BytesIO(big), "big.jpg")}))
    assert response.status_code == 413
    assert response.get_json()["error"] == f"The file is larger than the {settings.max_upload_mb} MB limit."
