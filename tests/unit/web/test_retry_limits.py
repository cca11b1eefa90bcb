"""Retrying queues work again, so it is bounded twice: a photo is retried at most PHOTOSHARE_MAX_RETRIES
times in its life, and an account sends at most PHOTOSHARE_RETRY_RATE_LIMIT retry requests."""

import re

import pytest
from test_jobs_api import fail, upload

from photoshare_shared.photo import Status

OUT_OF_RETRIES = "This photo was retried 2 times, the most allowed: it is not queued again."


@pytest.fixture
def app(make_app):
    return make_app(max_retries=2)


def test_a_photo_is_retried_at_most_max_retries_times_in_its_life(client, catalog, publisher):
    photo_id = upload(client)
    for round_number in (1, 2):
        fail(catalog, photo_id)
        response = client.post(f"/api/photos/{photo_id}/retry")
        assert response.status_code == 202
        body = response.get_json()
        assert (body["attempts"], body["retries"]) == (0, round_number)  # a fresh round, counted
    fail(catalog, photo_id)
    published = list(publisher.published)

    refused = client.post(f"/api/photos/{photo_id}/retry")

    assert refused.status_code == 409 and refused.get_json()["error"] == OUT_OF_RETRIES
    assert catalog.get(photo_id=photo_id).status is Status.FAILED
    assert publisher.published == published  # nothing queued


def test_retry_all_skips_photos_out_of_retries(client, catalog):
    worn_out, fresh = upload(client), upload(client)
    for _ in range(2):
        fail(catalog, worn_out)
        assert client.post(f"/api/photos/{worn_out}/retry").status_code == 202
    fail(catalog, worn_out)
    fail(catalog, fresh)

    assert client.post("/api/jobs/retry-failed").get_json() == {"retried": 1}
    assert catalog.get(photo_id=worn_out).status is Status.FAILED
    assert catalog.get(photo_id=fresh).status is Status.QUEUED


def test_the_photo_page_explains_a_refused_retry(client, catalog):
    photo_id = upload(client)
    for _ in range(2):
        fail(catalog, photo_id)
        client.post(f"/api/photos/{photo_id}/retry")
    fail(catalog, photo_id)
    html = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(f"/photos/{photo_id}/retry", data={"csrf_token": token})
    assert response.status_code == 409 and OUT_OF_RETRIES in response.get_data(as_text=True)


def test_retry_requests_are_rate_limited_per_account_across_endpoints_and_addresses(
    make_app, alice, bob, catalog, metrics
):
    app = make_app(retry_rate_limit="3 per minute")
    alice_client, bob_client = app.test_client(), app.test_client()
    alice_client.environ_base["HTTP_AUTHORIZATION"] = alice.bearer["Authorization"]
    bob_client.environ_base["HTTP_AUTHORIZATION"] = bob.bearer["Authorization"]
    photo_id = upload(alice_client)
    fail(catalog, photo_id)
    answers = [
        alice_client.post(f"/api/photos/{photo_id}/retry", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code,
        alice_client.post("/api/jobs/retry-failed", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code,
        alice_client.post("/api/jobs/retry-failed", environ_base={"REMOTE_ADDR": "10.0.0.3"}).status_code,
    ]
    assert answers == [202, 202, 202]

    for path in (f"/api/photos/{photo_id}/retry", "/api/jobs/retry-failed"):
        refused = alice_client.post(path, environ_base={"REMOTE_ADDR": "10.0.0.4"})  # a new address: same account
        assert refused.status_code == 429
        assert refused.get_json()["error"] == (
            "Too many retries from your account (limit: 3 per 1 minute); please wait before retrying again."
        )
        assert int(refused.headers["Retry-After"]) > 0

    html = alice_client.get("/jobs").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    page = alice_client.post("/jobs/retry-failed", data={"csrf_token": token})
    assert page.status_code == 429 and "Too many retries from your account" in page.get_data(as_text=True)

    assert bob_client.post("/api/jobs/retry-failed").status_code == 202  # another account's own budget
