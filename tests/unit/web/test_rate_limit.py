"""Uploads are rate limited per client address, API and form sharing one budget."""

import re
from io import BytesIO

import pytest

from tests.support.images import photo_bytes


@pytest.fixture
def app(app, settings):
    backends = app.extensions["photoshare"]
    app.extensions["photoshare"] = backends.__class__(
        **{**vars(backends), "settings": settings.model_copy(update={"upload_rate_limit": "3 per minute"})}
    )
    return app


def api_upload(client, address="10.0.0.1"):
    data = {"file": (BytesIO(photo_bytes(16, 16)), "a.jpg")}
    return client.post(
        "/api/photos", data=data, content_type="multipart/form-data", environ_base={"REMOTE_ADDR": address}
    )


def test_the_api_answers_429_past_the_limit_and_other_clients_go_on(client):
    assert [api_upload(client).status_code for _ in range(3)] == [202, 202, 202]
    refused = api_upload(client)
    assert refused.status_code == 429
    assert "Too many uploads" in refused.get_json()["error"]
    assert int(refused.headers["Retry-After"]) > 0
    assert api_upload(client, address="10.0.0.2").status_code == 202


def test_the_form_shares_the_budget_and_shows_a_friendly_page(client):
    for _ in range(3):
        api_upload(client)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/upload").get_data(as_text=True)).group(1)
    response = client.post(
        "/upload",
        data={"csrf_token": token, "file": (BytesIO(photo_bytes(16, 16)), "a.jpg")},
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 429
    assert "Too many uploads" in response.get_data(as_text=True) and "<h1>" in response.get_data(as_text=True)


def test_reads_are_not_limited(client):
    for _ in range(4):
        api_upload(client)
    assert all(
        client.get("/api/photos", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200 for _ in range(10)
    )
