"""One authorization matrix, written once as tables, run over every endpoint and page of photos,
albums and links: who gets which status, and that nothing private reaches anyone else.

alice owns a private photo with a GPS position (`where.jpg`) in an album, a second album, and
links. Every answer to somebody other than alice is searched for the private photo's name and
position, except where a live link of hers shows it.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from sharingkit import upload

from photoshare_shared.catalog import item as item_shape
from photoshare_shared.catalog.links import link_id_of

PRIVATE_NAME = b"where.jpg"
POSITION = (b"48.858", b"2.2945")
# A page that needs an account sends whoever is signed out to the sign-in page; the API answers 401.
SIGN_IN = 302


@dataclass(frozen=True)
class Cell:
    method: str
    path: str  # with {photo}, {album}, {other_album}, {link}, {link_id}, {public}
    body: Any = None


# Endpoints and pages of photos, albums and links × the three kinds of account holder.
ACCOUNT_ENDPOINTS: dict[str, tuple[Cell, int, int, int]] = {
    #                                                      owner other anonymous
    "photo JSON": (Cell("GET", "/api/photos/{photo}"), 200, 404, 404),
    "photo page": (Cell("GET", "/photos/{photo}"), 200, 404, 404),
    "original": (Cell("GET", "/photos/{photo}/original"), 200, 404, 404),
    "public photo's original (no downloads)": (Cell("GET", "/photos/{public}/original"), 200, 403, 403),
    "change sharing": (Cell("PATCH", "/api/photos/{photo}", {"share_location": False}), 200, 404, 401),
    "retry": (Cell("POST", "/api/photos/{photo}/retry"), 409, 404, 401),
    "delete a public photo": (Cell("DELETE", "/api/photos/{public}"), 204, 403, 401),
    "gallery": (Cell("GET", "/"), 200, 200, 200),
    "photo list": (Cell("GET", "/api/photos"), 200, 200, 200),
    "my photos": (Cell("GET", "/api/photos?owner=me"), 200, 200, 401),
    "my photos page": (Cell("GET", "/mine"), 200, 200, SIGN_IN),
    "jobs": (Cell("GET", "/api/jobs"), 200, 200, 200),
    "jobs page": (Cell("GET", "/jobs"), 200, 200, 200),
    "album list": (Cell("GET", "/api/albums"), 200, 200, 401),
    "albums page": (Cell("GET", "/albums"), 200, 200, SIGN_IN),
    "album JSON": (Cell("GET", "/api/albums/{album}"), 200, 404, 401),
    "album page": (Cell("GET", "/albums/{album}"), 200, 404, SIGN_IN),
    "rename album": (Cell("PATCH", "/api/albums/{album}", {"description": "d"}), 200, 404, 401),
    "add to album": (Cell("POST", "/api/albums/{album}/photos", {"photo_ids": ["{photo}"]}), 200, 404, 401),
    "remove from album": (Cell("DELETE", "/api/albums/{other_album}/photos/{photo}"), 404, 404, 401),
    "delete album": (Cell("DELETE", "/api/albums/{spare_album}"), 204, 404, 401),
    "share album": (Cell("POST", "/api/shares", {"album_id": "{album}"}), 201, 404, 401),
    "share photo": (Cell("POST", "/api/shares", {"photo_id": "{photo}"}), 201, 404, 401),
    "link list": (Cell("GET", "/api/shares"), 200, 200, 401),
    "shared links page": (Cell("GET", "/shares"), 200, 200, SIGN_IN),
    "revoke": (Cell("DELETE", "/api/shares/{spare_link_id}"), 204, 404, 401),
}

# The link endpoints × the ways of holding a link (none with an account).
LINK_ENDPOINTS: dict[str, tuple[Cell, ...]] = {
    "link JSON": (Cell("GET", "/api/s/{link}"),),
    "link page": (Cell("GET", "/s/{link}"),),
    "small": (Cell("GET", "/s/{link}/photos/{photo}/small"),),
    "large": (Cell("GET", "/s/{link}/photos/{photo}/large"),),
    "original": (Cell("GET", "/s/{link}/photos/{photo}/original"),),
    "another album's photo": (Cell("GET", "/s/{link}/photos/{other_photo}/small"),),
    "cursor of another list": (Cell("GET", "/api/s/{link}?cursor={foreign_cursor}"),),
}
LINK_HOLDERS = ("valid", "no password", "wrong password", "right password", "expired", "revoked", "other album")
LINK_STATUS: dict[str, tuple[int, ...]] = {
    #                          valid nopw wrong right expired revoked other
    "link JSON": (200, 401, 401, 200, 404, 404, 200),
    "link page": (200, 200, 200, 200, 404, 404, 200),
    "small": (200, 404, 404, 200, 404, 404, 404),
    "large": (200, 404, 404, 200, 404, 404, 404),
    "original": (403, 404, 404, 403, 404, 404, 404),
    "another album's photo": (404, 404, 404, 404, 404, 404, 200),
    "cursor of another list": (200, 401, 401, 200, 404, 404, 400),  # the cursor is of the linked album
}
# Holders who may see the private photo itself (its name in answers; never its position).
SEES_PRIVATE = {"valid", "right password"}


@pytest.fixture
def world(client, shared, catalog) -> dict[str, str]:
    def share(**body: Any) -> dict[str, Any]:
        made = client.post("/api/shares", json={"album_id": shared.album, **body})
        assert made.status_code == 201
        return made.get_json()

    expired = share(expires_at="2099-01-01T00:00:00Z")
    catalog.table.update_item(
        Key={item_shape.PARTITION_KEY: f"{item_shape.LINK_PREFIX}{link_id_of(expired['token'])}"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": "2020-01-01T00:00:00.000Z"},
    )
    revoked = share()
    assert client.delete(f"/api/shares/{revoked['id']}").status_code == 204
    other = client.post("/api/shares", json={"album_id": shared.other_album}).get_json()
    # A cursor into alice's album (2 photos: the private one and the one added here).
    client.post(f"/api/albums/{shared.album}/photos", json={"photo_ids": [shared.public_photo]})
    foreign_cursor = client.get(f"/api/albums/{shared.album}?limit=1").get_json()["next_cursor"]
    return {
        "photo": shared.gps_photo,
        "public": shared.public_photo,
        "album": shared.album,
        "other_album": shared.other_album,
        "other_photo": shared.other_photo,
        "foreign_cursor": foreign_cursor,
        "valid": shared.link["token"],
        "no password": shared.password_link["token"],
        "wrong password": shared.password_link["token"],
        "right password": shared.password_link["token"],
        "expired": expired["token"],
        "revoked": revoked["token"],
        "other album": other["token"],
    }


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


def _call(viewer, cell: Cell, names: dict[str, str], headers: dict[str, str] | None = None):
    return viewer.open(_fill(cell.path, names), method=cell.method, json=_fill(cell.body, names), headers=headers or {})


def _leaks(body: bytes, *, name_allowed: bool) -> list[str]:
    found = [text.decode() for text in POSITION if text in body]
    if not name_allowed and PRIVATE_NAME in body:
        found.append(PRIVATE_NAME.decode())
    return found


def test_the_matrix_for_accounts(client, bob_client, anonymous, world):
    viewers = {"owner": client, "other": bob_client, "anonymous": anonymous}
    got, leaks = {}, {}
    for name, (cell, *expected) in ACCOUNT_ENDPOINTS.items():
        for (who, viewer), _ in zip(viewers.items(), expected, strict=True):
            # Fresh things to destroy, so every row starts from the same state.
            names = dict(world)
            names["spare_album"] = client.post("/api/albums", json={"title": "spare"}).get_json()["id"]
            names["spare_link_id"] = client.post("/api/shares", json={"album_id": world["album"]}).get_json()["id"]
            if name == "delete a public photo":
                names["public"] = upload(client, visibility="public", name="spare.jpg")
            response = _call(viewer, cell, names)
            got[(name, who)] = response.status_code
            if who != "owner":
                leaks[(name, who)] = _leaks(response.get_data(), name_allowed=False)
    expected = {
        (name, who): status
        for name, (_, *statuses) in ACCOUNT_ENDPOINTS.items()
        for who, status in zip(viewers, statuses, strict=True)
    }
    assert got == expected
    assert {cell: found for cell, found in leaks.items() if found} == {}


def test_the_matrix_for_links(anonymous, app, world):
    got, leaks = {}, {}
    for name, (cell,) in LINK_ENDPOINTS.items():
        for holder in LINK_HOLDERS:
            viewer = app.test_client()  # no account, and no unlocked session from another row
            headers = {
                "wrong password": {"X-Share-Password": "guess"},
                "right password": {"X-Share-Password": "open sesame"},
            }
            response = _call(viewer, cell, {**world, "link": world[holder]}, headers.get(holder))
            got[(name, holder)] = response.status_code
            leaks[(name, holder)] = _leaks(response.get_data(), name_allowed=holder in SEES_PRIVATE)
    expected = {
        (name, holder): status
        for name, statuses in LINK_STATUS.items()
        for holder, status in zip(LINK_HOLDERS, statuses, strict=True)
    }
    assert got == expected
    assert {cell: found for cell, found in leaks.items() if found} == {}
