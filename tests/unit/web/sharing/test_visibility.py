"""Visibility per photo: private by default, chosen at upload, changed later; the gallery shows
public photos only, "My photos" all of one's own; photos from before visibility stay public."""

import re
from io import BytesIO

from sharingkit import upload

from photoshare_shared.catalog import item as item_shape
from photoshare_shared.photo import PUBLIC_GALLERY
from tests.support.images import photo_bytes


def ids(response) -> list[str]:
    return [item["id"] for item in response.get_json()["items"]]


def test_new_uploads_are_private_unless_chosen_and_only_public_ones_reach_the_gallery(client, bob_client, anonymous):
    private = upload(client)
    public = upload(client, visibility="public")

    assert client.get(f"/api/photos/{private}").get_json()["visibility"] == "private"
    assert ids(anonymous.get("/api/photos")) == [public]
    assert ids(bob_client.get("/api/photos")) == [public]
    assert ids(client.get("/api/photos")) == [public]
    assert ids(client.get("/api/photos?owner=me")) == [public, private]
    gallery = anonymous.get("/").get_data(as_text=True)
    assert public in gallery and private not in gallery
    mine = client.get("/mine").get_data(as_text=True)
    assert public in mine and private in mine
    # Another person, signed in or not, cannot tell a private photo from a missing one.
    for viewer in (bob_client, anonymous):
        assert viewer.get(f"/api/photos/{private}").status_code == 404
        assert viewer.get(f"/photos/{private}").status_code == 404
        assert viewer.get(f"/photos/{private}/original").status_code == 404


def test_a_bad_visibility_is_refused_and_nothing_is_kept(client):
    form = {"file": (BytesIO(photo_bytes()), "a.jpg"), "visibility": "friends"}
    response = client.post("/api/photos", data=form, content_type="multipart/form-data")
    assert response.status_code == 400 and "visibility" in response.get_json()["error"]
    assert ids(client.get("/api/photos?owner=me")) == []


def test_the_account_default_applies_to_new_uploads(client, bob_client):
    assert client.get("/api/account/preferences").get_json() == {"default_visibility": "private"}
    changed = client.patch("/api/account/preferences", json={"default_visibility": "public"})
    assert changed.status_code == 200 and changed.get_json() == {"default_visibility": "public"}
    assert client.get(f"/api/photos/{upload(client)}").get_json()["visibility"] == "public"
    assert client.get(f"/api/photos/{upload(client, visibility='private')}").get_json()["visibility"] == "private"
    # bob's default is still the site's.
    assert bob_client.get(f"/api/photos/{upload(bob_client)}").get_json()["visibility"] == "private"
    assert client.patch("/api/account/preferences", json={"default_visibility": "all"}).status_code == 400


def test_the_site_default_for_new_accounts_is_a_setting(make_app, alice):
    app = make_app(default_visibility="public")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = alice.bearer["Authorization"]
    assert client.get(f"/api/photos/{upload(client)}").get_json()["visibility"] == "public"


def test_the_owner_changes_visibility_and_switches_with_patch(client, bob_client, anonymous):
    photo = upload(client)
    public = client.patch(f"/api/photos/{photo}", json={"visibility": "public", "allow_download": True})
    assert public.status_code == 200
    assert (
        public.get_json().items() >= {"visibility": "public", "allow_download": True, "share_location": False}.items()
    )
    assert ids(anonymous.get("/api/photos")) == [photo]

    assert bob_client.patch(f"/api/photos/{photo}", json={"visibility": "private"}).status_code == 403
    assert anonymous.patch(f"/api/photos/{photo}", json={"visibility": "private"}).status_code == 401
    for bad in ({"visibility": "secret"}, {"share_location": "yes"}, {"colour": "red"}, []):
        assert client.patch(f"/api/photos/{photo}", json=bad).status_code == 400

    assert client.patch(f"/api/photos/{photo}", json={"visibility": "private"}).get_json()["visibility"] == "private"
    assert ids(anonymous.get("/api/photos")) == []
    assert bob_client.patch(f"/api/photos/{photo}", json={"visibility": "public"}).status_code == 404


def test_photos_stored_before_visibility_existed_stay_public(client, anonymous, catalog):
    photo = upload(client, visibility="public")
    item = catalog.table.get_item(Key={item_shape.PARTITION_KEY: photo})["Item"]
    assert item[item_shape.GALLERY_PARTITION] == PUBLIC_GALLERY  # the shape every old item has
    assert set(item) & {"visibility", "share_location", "allow_download"} == set()
    assert ids(anonymous.get("/api/photos")) == [photo]
    assert anonymous.get(f"/api/photos/{photo}").get_json()["visibility"] == "public"


def test_the_upload_form_and_photo_page_forms_set_visibility(client):
    html = client.get("/upload").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert 'name="visibility"' in html
    form = {"file": (BytesIO(photo_bytes()), "f.jpg"), "csrf_token": token, "visibility": "public"}
    response = client.post("/upload", data=form, content_type="multipart/form-data")
    photo = response.headers["Location"].rsplit("/", 1)[-1]
    assert client.get(f"/api/photos/{photo}").get_json()["visibility"] == "public"
    response = client.post(
        f"/photos/{photo}/sharing", data={"visibility": "private", "share_location": "on", "csrf_token": token}
    )
    assert response.status_code == 303
    assert (
        client.get(f"/api/photos/{photo}").get_json().items()
        >= {"visibility": "private", "share_location": True}.items()
    )


def test_the_jobs_page_names_no_private_photo(client, bob_client, catalog):
    private, public = upload(client, name="secret-plans.jpg"), upload(client, visibility="public", name="cat.jpg")
    for photo_id in (private, public):
        catalog.start_processing(photo_id=photo_id)
        catalog.mark_failed(photo_id=photo_id, error="the image data is truncated or corrupt")
    failures = bob_client.get("/api/jobs").get_json()["recent_failures"]
    assert [f["id"] for f in failures] == [public]
    assert bob_client.get("/api/jobs").get_json()["counts"]["FAILED"] == 2
    assert "secret-plans" not in bob_client.get("/jobs").get_data(as_text=True)
