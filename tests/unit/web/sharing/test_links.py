"""Share links: anonymous pages and JSON, passwords with rate limits, expiry, revocation, view
counts, and images that end with their link yet come from the browser's cache on a revisit."""

import re
from collections import Counter

import pytest
from sharingkit import upload

from photoshare_shared.catalog import item as item_shape
from photoshare_shared.catalog.links import link_id_of
from photoshare_web import sharing


def test_a_link_opens_only_what_it_covers_without_an_account(anonymous, shared):
    token = shared.link["token"]
    assert len(token) >= 22 and shared.link["id"] == link_id_of(token)  # >= 128 random bits
    body = anonymous.get(f"/api/s/{token}").get_json()
    assert [item["id"] for item in body["items"]] == [shared.gps_photo]
    assert body["title"] == "Paris" and body["photo_count"] == 1
    assert all(item["original_url"] is None for item in body["items"])
    thumb = body["items"][0]["thumbnails"]["small"]["url"]
    assert thumb == f"/s/{token}/photos/{shared.gps_photo}/small", "images go through the link, never S3"
    assert anonymous.get(thumb).status_code == 200
    # Nothing the link does not cover: another album's photo, or the covered photo's own pages.
    assert anonymous.get(f"/s/{token}/photos/{shared.other_photo}/small").status_code == 404
    assert anonymous.get(f"/api/photos/{shared.gps_photo}").status_code == 404
    page = anonymous.get(f"/s/{token}").get_data(as_text=True)
    assert shared.gps_photo in page and shared.other_photo not in page

    photo_link = anonymous.get(f"/api/s/{shared.photo_link['token']}").get_json()
    assert [item["id"] for item in photo_link["items"]] == [shared.public_photo]


def test_unknown_revoked_and_expired_links_get_the_same_404(client, anonymous, shared, catalog):
    token = shared.link["token"]
    expired = client.post("/api/shares", json={"album_id": shared.album, "expires_at": "2099-01-01T00:00:00Z"})
    assert expired.status_code == 201 and expired.get_json()["expires_at"] == "2099-01-01T00:00:00.000Z"
    expired_token = expired.get_json()["token"]
    catalog.table.update_item(
        Key={item_shape.PARTITION_KEY: f"{item_shape.LINK_PREFIX}{link_id_of(expired_token)}"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": "2020-01-01T00:00:00.000Z"},
    )
    assert client.delete(f"/api/shares/{shared.link['id']}").status_code == 204
    answers = [anonymous.get(f"/api/s/{t}") for t in (token, expired_token, "A" * 32)]
    assert {a.status_code for a in answers} == {404}
    assert len({a.get_data() for a in answers}) == 1, "the three must not be told apart"
    assert anonymous.get(f"/s/{token}").status_code == 404
    listed = {item["id"]: item for item in client.get("/api/shares").get_json()["items"]}
    assert listed[shared.link["id"]]["revoked_at"] and not listed[shared.link["id"]]["live"]
    assert not listed[link_id_of(expired_token)]["live"]


def test_a_password_link_asks_first_and_limits_guesses_per_link(anonymous, app, shared):
    token = shared.password_link["token"]
    asked = anonymous.get(f"/api/s/{token}")
    assert asked.status_code == 401 and asked.get_json()["password_required"] is True
    assert anonymous.get(f"/api/s/{token}", headers={"X-Share-Password": "wrong"}).status_code == 401
    right = anonymous.get(f"/api/s/{token}", headers={"X-Share-Password": "open sesame"})
    assert right.status_code == 200 and right.get_json()["items"]
    thumb = right.get_json()["items"][0]["thumbnails"]["small"]["url"]
    assert anonymous.get(thumb).status_code == 404, "an image of a password link needs the password too"
    assert anonymous.get(thumb, headers={"X-Share-Password": "open sesame"}).status_code == 200

    # The page: a form, then the photos for this browser only.
    assert 'type="password"' in anonymous.get(f"/s/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', anonymous.get(f"/s/{token}").get_data(as_text=True))
    wrong = anonymous.post(f"/s/{token}", data={"password": "nope", "csrf_token": csrf.group(1)})
    assert wrong.status_code == 401
    opened = anonymous.post(f"/s/{token}", data={"password": "open sesame", "csrf_token": csrf.group(1)})
    assert opened.status_code == 303
    assert shared.gps_photo in anonymous.get(f"/s/{token}").get_data(as_text=True)
    assert anonymous.get(thumb).status_code == 200

    # 5 per minute per link: asked, "wrong" and "nope" used 3; two more wrong ones from other
    # addresses, and then even the right password waits, from any address.
    def elsewhere(n: int):
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"10.0.0.{n}"
        return other

    for n in range(2):
        assert elsewhere(n).get(f"/api/s/{token}", headers={"X-Share-Password": "x"}).status_code == 401
    limited = elsewhere(9).get(f"/api/s/{token}", headers={"X-Share-Password": "open sesame"})
    assert limited.status_code == 429 and "this link" in limited.get_json()["error"]
    assert elsewhere(9).get(f"/api/s/{shared.link['token']}").status_code == 200, "other links stay open"


def test_guesses_across_links_from_one_client_run_out(client, anonymous, shared):
    tokens = [
        client.post("/api/shares", json={"album_id": shared.album, "password": f"pw{n}"}).get_json()["token"]
        for n in range(6)
    ]
    codes = [anonymous.get(f"/api/s/{t}", headers={"X-Share-Password": "guess"}).status_code for t in tokens]
    assert codes == [401] * 5 + [429]
    assert "your address" in anonymous.get(f"/api/s/{tokens[0]}").get_json()["error"]


def test_views_are_counted_and_listed_on_the_shared_links_page(client, anonymous, shared):
    token = shared.link["token"]
    anonymous.get(f"/s/{token}")
    anonymous.get(f"/api/s/{token}")
    anonymous.get(f"/s/{token}/photos/{shared.gps_photo}/small")  # images are not views
    listed = {item["id"]: item for item in client.get("/api/shares").get_json()["items"]}
    assert listed[shared.link["id"]]["views"] == 2
    page = client.get("/shares").get_data(as_text=True)
    assert f'data-link-id="{shared.link["id"]}"' in page and "<td data-views>2</td>" in page
    assert anonymous.get("/api/shares").status_code == 401


def test_links_are_made_only_for_ones_own_album_or_photo(client, bob_client, shared):
    assert bob_client.post("/api/shares", json={"album_id": shared.album}).status_code == 404
    assert bob_client.post("/api/shares", json={"photo_id": shared.public_photo}).status_code == 403
    assert bob_client.delete(f"/api/shares/{shared.link['id']}").status_code == 404
    for bad in (
        {},
        {"album_id": shared.album, "photo_id": shared.public_photo},
        {"album_id": shared.album, "expires_at": "tomorrow"},
        {"album_id": shared.album, "expires_at": "2020-01-01T00:00:00Z"},
        {"album_id": shared.album, "password": ""},
        {"album_id": shared.album, "allow_download": "yes"},
    ):
        assert client.post("/api/shares", json=bad).status_code == 400, bad


def test_a_revoked_links_images_stop_within_the_check_bound(client, anonymous, shared, settings, monkeypatch):
    """Ends mean ended: an image URL handed out by a link keeps loading at most
    PHOTOSHARE_SHARE_CHECK_CACHE_S after revocation (plus the same max-age in a browser that has
    it): under 60 s in all."""
    now = [1000.0]
    monkeypatch.setattr(sharing, "_clock", lambda: now[0])
    url = f"/s/{shared.link['token']}/photos/{shared.gps_photo}/large"
    first = anonymous.get(url)
    assert first.status_code == 200
    max_age = int(re.search(r"max-age=(\d+)", first.headers["Cache-Control"]).group(1))
    assert settings.share_check_cache_s + max_age <= 60

    assert client.delete(f"/api/shares/{shared.link['id']}").status_code == 204
    now[0] += settings.share_check_cache_s - 1
    assert anonymous.get(url).status_code == 200, "still within the bound (the process's cached check)"
    now[0] += 1
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(f"/api/s/{shared.link['token']}").status_code == 404, "the link itself: at once"


@pytest.fixture
def s3_calls(app):
    calls: Counter[str] = Counter()
    app.extensions["photoshare"].store._client.meta.events.register(
        "before-call.s3.*", lambda model, **_: calls.update([model.name])
    )
    return calls


def test_a_revisit_revalidates_link_images_without_sending_them_again(anonymous, shared, s3_calls):
    url = f"/s/{shared.link['token']}/photos/{shared.gps_photo}/small"
    first = anonymous.get(url)
    assert first.status_code == 200 and first.headers["ETag"] and s3_calls["GetObject"] == 1
    again = anonymous.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert s3_calls["GetObject"] == 1, "the browser's copy is reused: S3 is not asked again"


def test_gallery_thumbnail_urls_are_stable_within_a_window_so_browsers_reuse_them(client, anonymous, ready):
    photo = ready(upload(client, visibility="public"))
    first = anonymous.get(f"/api/photos/{photo}").get_json()["thumbnails"]["small"]["url"]
    second = anonymous.get(f"/api/photos/{photo}").get_json()["thumbnails"]["small"]["url"]
    assert first == second and "X-Amz-Date=" in first


def test_links_open_without_an_account_even_when_browsing_needs_one(make_app, shared):
    anonymous = make_app(public_browsing=False).test_client()
    assert anonymous.get("/api/photos").status_code == 401
    assert anonymous.get(f"/api/s/{shared.link['token']}").status_code == 200
    assert anonymous.get(f"/s/{shared.link['token']}").status_code == 200
    assert anonymous.get(f"/s/{shared.link['token']}/photos/{shared.gps_photo}/small").status_code == 200


def test_a_covered_photo_without_thumbnails_yet_is_404_not_an_outage(client, anonymous, shared):
    waiting = upload(client, name="queued.jpg")  # QUEUED: no thumbnails in S3 yet
    link = client.post("/api/shares", json={"photo_id": waiting}).get_json()["token"]
    assert anonymous.get(f"/s/{link}/photos/{waiting}/small").status_code == 404
    assert anonymous.get(f"/s/{link}/photos/{waiting}/huge").status_code == 404
