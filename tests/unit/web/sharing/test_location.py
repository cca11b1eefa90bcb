"""A photo's position is its owner's: every answer anyone else can get of a photo with GPS (JSON,
HTML, thumbnails, the original's bytes) is searched for it; it shows only where the owner shared it."""

from io import BytesIO

from PIL import ExifTags, Image
from sharingkit import LOCATION_TEXTS

from photoshare_web.locationstrip import LocationNotRemovable, without_location


def gps_of(data: bytes) -> dict:
    return dict(Image.open(BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo))


def leaks(body: bytes) -> list[str]:
    """The forms of the position found in an answer (text, or a GPS IFD inside an image)."""
    found = [text for text in LOCATION_TEXTS if text.encode() in body]
    if body[:2] == b"\xff\xd8" and gps_of(body):
        found.append("GPS IFD")
    return found


def every_answer(viewer, photo_id: str, link_token: str | None = None) -> dict[str, bytes]:
    """Every answer about the photo a viewer can ask for, by path (successful or not)."""
    paths = ["/", "/api/photos", f"/api/photos/{photo_id}", f"/photos/{photo_id}", f"/photos/{photo_id}/original"]
    if link_token:
        paths += [f"/s/{link_token}", f"/api/s/{link_token}"]
        paths += [f"/s/{link_token}/photos/{photo_id}/{size}" for size in ("small", "large", "original")]
    return {path: viewer.get(path).get_data() for path in paths}


def test_nobody_but_the_owner_gets_the_position_unless_shared(client, bob_client, anonymous, shared, store):
    photo = shared.gps_photo
    original = store.read_original(photo_id=photo)
    assert gps_of(original), "the test photo must carry a position"
    assert leaks(client.get(f"/api/photos/{photo}").get_data()), "the owner sees it, so the search can find it"
    assert leaks(client.get(f"/photos/{photo}/original").get_data()) == ["GPS IFD"]

    # Private, in an album shared by a link without locations or downloads.
    for viewer in (bob_client, anonymous):
        answers = every_answer(viewer, photo, shared.link["token"])
        assert {path: leaks(body) for path, body in answers.items() if leaks(body)} == {}
    assert anonymous.get(f"/s/{shared.link['token']}/photos/{photo}/original").status_code == 403

    # Public with downloads allowed: the original comes without its position, pixels untouched.
    client.patch(f"/api/photos/{photo}", json={"visibility": "public", "allow_download": True})
    for viewer in (bob_client, anonymous):
        answers = every_answer(viewer, photo)
        assert {path: leaks(body) for path, body in answers.items() if leaks(body)} == {}
        download = viewer.get(f"/photos/{photo}/original")
        assert download.status_code == 200
        stripped = download.get_data()
        assert len(stripped) == len(original) and gps_of(stripped) == {}
        scan = original.index(b"\xff\xda")
        assert stripped[scan:] == original[scan:], "the image data is copied, never re-encoded"
        assert Image.open(BytesIO(stripped)).getexif()[ExifTags.Base.Make] == "Canon"

    # Shared location: now everyone gets it (which shows the searches above can find it).
    client.patch(f"/api/photos/{photo}", json={"share_location": True})
    assert leaks(anonymous.get(f"/api/photos/{photo}").get_data())
    assert leaks(anonymous.get(f"/photos/{photo}").get_data())
    assert anonymous.get(f"/photos/{photo}/original").get_data() == original


def test_a_link_shows_the_position_and_gives_originals_only_when_made_to(client, anonymous, shared, store):
    photo = shared.gps_photo
    link = client.post("/api/shares", json={"album_id": shared.album, "allow_download": True}).get_json()
    stripped = anonymous.get(f"/s/{link['token']}/photos/{photo}/original")
    assert stripped.status_code == 200 and leaks(stripped.get_data()) == []
    assert leaks(anonymous.get(f"/api/s/{link['token']}").get_data()) == []

    showing = client.post("/api/shares", json={"album_id": shared.album, "show_location": True}).get_json()
    assert leaks(anonymous.get(f"/api/s/{showing['token']}").get_data())
    assert leaks(anonymous.get(f"/s/{showing['token']}").get_data())
    assert anonymous.get(f"/s/{showing['token']}/photos/{photo}/original").status_code == 403


def test_xmp_goes_and_formats_that_cannot_be_rewritten_are_refused():
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<exif:GPSLatitude>48.858</exif:GPSLatitude>"
    jpeg = b"\xff\xd8\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp + b"\xff\xda\x00\x02"
    assert without_location(jpeg, "image/jpeg") == b"\xff\xd8\xff\xda\x00\x02"
    for broken in (b"\xff\xd8\xff\xe1\xff\xff", b"not a jpeg"):
        try:
            without_location(broken, "image/jpeg")
        except LocationNotRemovable:
            pass
        else:
            raise AssertionError("a malformed file must be refused, not passed on")
    try:
        without_location(b"....ftypheic", "image/heic")
    except LocationNotRemovable as reason:
        assert "re-encoding" in str(reason)
    else:
        raise AssertionError("HEIC is refused")
