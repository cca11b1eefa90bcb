"""Albums: make, rename, describe, delete (the photos stay); add and remove one's own photos from
the API, the photo page and the multi-select of "My photos"; newest first, with a cover."""

import re

from sharingkit import upload


def csrf(client, path: str = "/mine") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_an_album_is_made_filled_newest_first_renamed_and_deleted(client, bob_client, ready):
    first, second, third = (ready(upload(client, name=f"{n}.jpg")) for n in range(3))
    made = client.post("/api/albums", json={"title": "  Summer ", "description": "by the sea"})
    assert made.status_code == 201
    album = made.get_json()
    assert album.items() >= {"title": "Summer", "description": "by the sea", "photo_count": 0, "cover": None}.items()

    added = client.post(f"/api/albums/{album['id']}/photos", json={"photo_ids": [second, first, third, first]})
    assert added.status_code == 200 and added.get_json()["added"] == 3
    again = client.post(f"/api/albums/{album['id']}/photos", json={"photo_ids": [first]}).get_json()
    assert again["added"] == 0 and again["photo_count"] == 3

    page = client.get(f"/api/albums/{album['id']}").get_json()
    assert [p["id"] for p in page["items"]] == [third, second, first]
    assert page["cover"]["photo_id"] == third and page["next_cursor"] is None
    two = client.get(f"/api/albums/{album['id']}?limit=2").get_json()
    rest = client.get(f"/api/albums/{album['id']}?limit=2&cursor={two['next_cursor']}").get_json()
    assert [p["id"] for p in two["items"] + rest["items"]] == [third, second, first]
    assert client.get(f"/api/albums/{album['id']}?cursor=bogus").status_code == 400

    # Removing the cover makes the next newest the cover; deleting a photo takes it out too.
    assert client.delete(f"/api/albums/{album['id']}/photos/{third}").status_code == 204
    assert client.delete(f"/api/albums/{album['id']}/photos/{third}").status_code == 404
    assert client.delete(f"/api/photos/{second}").status_code == 204
    page = client.get(f"/api/albums/{album['id']}").get_json()
    assert [p["id"] for p in page["items"]] == [first] and page["photo_count"] == 1
    assert page["cover"]["photo_id"] == first

    renamed = client.patch(f"/api/albums/{album['id']}", json={"title": "Summer 2026"}).get_json()
    assert renamed["title"] == "Summer 2026" and renamed["description"] == "by the sea"
    assert [a["id"] for a in client.get("/api/albums").get_json()["items"]] == [album["id"]]
    assert bob_client.get("/api/albums").get_json()["items"] == []

    assert client.delete(f"/api/albums/{album['id']}").status_code == 204
    assert client.get(f"/api/albums/{album['id']}").status_code == 404
    assert client.get(f"/api/photos/{first}").status_code == 200, "the photos stay"


def test_only_ones_own_photos_go_in_and_bad_input_is_refused(client, bob_client):
    mine, bobs = upload(client), upload(bob_client, visibility="public")
    album = client.post("/api/albums", json={"title": "Mine"}).get_json()["id"]
    refused = client.post(f"/api/albums/{album}/photos", json={"photo_ids": [mine, bobs]})
    assert refused.status_code == 403
    assert client.get(f"/api/albums/{album}").get_json()["photo_count"] == 0, "nothing added on refusal"
    assert (
        client.post(f"/api/albums/{album}/photos", json={"photo_ids": ["01JD7Q3KX5V8S9T0ZQ4M2N6P8R"]}).status_code
        == 404
    )
    for bad in ({"photo_ids": []}, {"photo_ids": "x"}, {"photo_ids": ["../x"]}, {}):
        assert client.post(f"/api/albums/{album}/photos", json=bad).status_code == 400
    for bad in ({}, {"title": ""}, {"title": "x" * 201}, {"title": 3}, {"title": "ok", "description": 5}):
        assert client.post("/api/albums", json=bad).status_code == 400
    assert bob_client.post(f"/api/albums/{album}/photos", json={"photo_ids": [bobs]}).status_code == 404


def test_pages_make_albums_and_add_from_the_multi_select_and_the_photo_page(client, ready):
    photos = [ready(upload(client, name=f"{n}.jpg")) for n in range(3)]
    token = csrf(client)
    made = client.post("/albums", data={"title": "Picked", "description": "", "csrf_token": token})
    assert made.status_code == 303
    album = made.headers["Location"].rsplit("/", 1)[-1]

    mine = client.get("/mine").get_data(as_text=True)
    assert all(f'name="photo_ids" value="{p}" form="add-selected"' in mine for p in photos)
    picked = {"album_id": album, "photo_ids": photos[:2], "next": "/mine", "csrf_token": token}
    response = client.post("/albums/add-photos", data=picked)
    assert response.status_code == 303 and response.headers["Location"].endswith("/mine")
    from_page = {"album_id": album, "photo_ids": photos[2], "next": f"/photos/{photos[2]}", "csrf_token": token}
    assert client.post("/albums/add-photos", data=from_page).headers["Location"].endswith(f"/photos/{photos[2]}")
    assert 'action="/albums/add-photos"' in client.get(f"/photos/{photos[2]}").get_data(as_text=True)

    html = client.get(f"/albums/{album}").get_data(as_text=True)
    assert [m for m in re.findall(r'data-photo-id="([^"]+)"', html)] == photos[::-1]
    assert 'class="cover"' in html
    assert client.post("/albums/add-photos", data={"album_id": album, "csrf_token": token}).status_code == 400
    elsewhere = {"album_id": album, "photo_ids": photos[0], "next": "https://evil.example/", "csrf_token": token}
    assert client.post("/albums/add-photos", data=elsewhere).headers["Location"].endswith(f"/albums/{album}")
    assert client.post(f"/albums/{album}/delete", data={"csrf_token": token}).status_code == 303
    assert client.get(f"/albums/{album}").status_code == 404
