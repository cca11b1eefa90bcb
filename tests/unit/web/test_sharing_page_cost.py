"""An album page, a share-link page and "My photos" cost a fixed number of DynamoDB requests
whatever the album's or the table's size, and never a Scan: counted at 1,000 and 10,000 photos,
on the first page and on a page deep in the album."""

from collections import Counter

import pytest
from test_page_cost import CallCounter, _app_clients, _item

from photoshare_shared.aws import make_table
from photoshare_shared.catalog.albums import member_item
from photoshare_shared.catalog.item import from_item

ALBUM_PAGE = Counter({"dynamodb.GetItem": 1, "dynamodb.Query": 1, "dynamodb.BatchGetItem": 1})
# The link (one GetItem on the token), the album, its page, and the view counted.
LINK_PAGE = Counter({"dynamodb.GetItem": 2, "dynamodb.Query": 1, "dynamodb.BatchGetItem": 1, "dynamodb.UpdateItem": 1})
LINK_NEXT_PAGE = LINK_PAGE - Counter({"dynamodb.UpdateItem": 1})  # a cursor is not a new view
# The owner's photos, their albums (for the multi-select) and their default visibility.
MY_PHOTOS = Counter({"dynamodb.Query": 2, "dynamodb.GetItem": 1})


@pytest.mark.timeout(900)
@pytest.mark.parametrize("photos", [1_000, 10_000])
def test_album_link_and_my_photos_pages_cost_the_same_at_any_size(app, client, anonymous, settings, alice, photos):
    album = client.post("/api/albums", json={"title": "Everything"}).get_json()["id"]
    with make_table(settings).batch_writer() as batch:
        for n in range(photos):
            item = _item(n, alice)
            batch.put_item(Item=item)
            batch.put_item(Item=member_item(album, from_item(item)))
    link = client.post("/api/shares", json={"album_id": album}).get_json()["token"]
    deep = client.get(f"/api/albums/{album}", query_string={"limit": 100}).get_json()["next_cursor"]
    for _ in range(photos // 200):  # walk to somewhere past the middle
        deep = client.get(f"/api/albums/{album}", query_string={"limit": 100, "cursor": deep}).get_json()["next_cursor"]

    pages = {
        "album page": (client, f"/albums/{album}", {}, ALBUM_PAGE),
        "album page, deep": (client, f"/albums/{album}", {"cursor": deep}, ALBUM_PAGE),
        "album JSON": (client, f"/api/albums/{album}", {}, ALBUM_PAGE),
        "link page": (anonymous, f"/s/{link}", {}, LINK_PAGE),
        "link JSON": (anonymous, f"/api/s/{link}", {}, LINK_PAGE),
        "link JSON, deep": (anonymous, f"/api/s/{link}", {"cursor": deep}, LINK_NEXT_PAGE),
        "my photos": (client, "/mine", {}, MY_PHOTOS),
    }
    counter = CallCounter(_app_clients(app))
    measured = {}
    for name, (viewer, path, query, _) in pages.items():
        counter.take()
        response = viewer.get(path, query_string=query)
        assert response.status_code == 200, name
        measured[name] = counter.take()
    assert measured == {name: expected for name, (*_, expected) in pages.items()}
    deep_page = anonymous.get(f"/api/s/{link}", query_string={"cursor": deep}).get_json()
    assert len(deep_page["items"]) == settings.page_size and deep_page["next_cursor"]
