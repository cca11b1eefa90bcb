"""A gallery page costs the same at any depth: one DynamoDB Query, no Scan, no S3 request; so does
a page of "My photos" (the owner index), and being signed in adds no AWS call (tokens are checked
locally against the pool's cached keys).

10,000 photos in moto; AWS calls counted with botocore `before-call` hooks on every client the
app holds (the S3 store, its URL signer, the catalog's and the attention index's table).
Presigning a URL is local and makes no call, so thumbnails cost nothing here.
"""

from collections import Counter
from typing import Any

import pytest
from flask import Flask

from photoshare_shared.aws import make_table
from photoshare_shared.settings import Settings
from tests.support.accounts import Account
from tests.support.photos import ready_item

PHOTOS = 10_000
ONE_QUERY = Counter({"dynamodb.Query": 1})


def _item(n: int, owner: Account) -> dict[str, Any]:
    """Photo n of `owner`, READY with both thumbnails, created n seconds after midnight (n = 0 is oldest)."""
    stamp = f"2026-07-01T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z"
    return ready_item(f"01JPAGEC5T{n:016d}", f"IMG_{n:05d}.jpg", stamp, owner_id=owner.sub, owner_name=owner.username)


class CallCounter:
    """AWS API calls ("dynamodb.Query", "s3.GetObject"...) made through the given clients."""

    def __init__(self, clients: list[Any]) -> None:
        self.calls: Counter[str] = Counter()
        for client in clients:
            client.meta.events.register("before-call.*.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}.{model.name}"] += 1

    def take(self) -> Counter[str]:
        calls, self.calls = self.calls, Counter()
        return calls


def _app_clients(app: Flask) -> list[Any]:
    backends = app.extensions["photoshare"]
    clients = [
        backends.store.client,
        backends.store.signer,
        backends.catalog.table.meta.client,
        backends.attention.table.meta.client,
    ]
    return list({id(c): c for c in clients}.values())


@pytest.fixture
def gallery(settings: Settings, alice: Account) -> None:
    """10,000 READY photos of alice's, written 25 per BatchWriteItem."""
    with make_table(settings).batch_writer() as batch:
        for n in range(PHOTOS):
            batch.put_item(Item=_item(n, alice))


def _tile_ids(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-photo-id="')[1:]]


@pytest.mark.timeout(600)
def _cursor_of_page_50(client: Any, page_size: int, owner: str | None = None) -> str:
    """The cursor of page 50, as handed out by the app (walked 100 at a time: fewer emulated Queries)."""
    cursor, skip = None, 49 * page_size
    while skip:
        limit = min(100, skip)
        query = {"limit": limit, **({"cursor": cursor} if cursor else {}), **({"owner": owner} if owner else {})}
        body = client.get("/api/photos", query_string=query).get_json()
        cursor, skip = body["next_cursor"], skip - limit
    return cursor


@pytest.mark.timeout(600)
def test_first_and_50th_gallery_page_cost_one_query_no_scan_no_s3(app, client, anonymous, settings, gallery):
    counter = CallCounter(_app_clients(app))
    page_size = settings.page_size
    cursor = _cursor_of_page_50(client, page_size)
    counter.take()

    first = anonymous.get("/")
    first_calls = counter.take()
    fiftieth = client.get("/", query_string={"cursor": cursor})
    fiftieth_calls = counter.take()

    assert first.status_code == fiftieth.status_code == 200
    assert first_calls == ONE_QUERY, first_calls
    assert fiftieth_calls == ONE_QUERY, fiftieth_calls
    newest = PHOTOS - 1
    assert _tile_ids(first.get_data(as_text=True)) == [
        f"01JPAGEC5T{n:016d}" for n in range(newest, newest - page_size, -1)
    ]
    top_of_50 = newest - 49 * page_size
    assert _tile_ids(fiftieth.get_data(as_text=True)) == [
        f"01JPAGEC5T{n:016d}" for n in range(top_of_50, top_of_50 - page_size, -1)
    ]
    # Every tile's thumbnail URL was signed locally: present in the page, yet no S3 request.
    assert first.get_data(as_text=True).count("X-Amz-Signature") >= page_size

    # The JSON API's page costs the same.
    api = client.get("/api/photos", query_string={"cursor": cursor})
    assert api.status_code == 200 and len(api.get_json()["items"]) == page_size
    assert counter.take() == ONE_QUERY

    # The hooks are live: reading one photo is one GetItem, deleting it reaches S3.
    photo_id = _tile_ids(first.get_data(as_text=True))[0]
    assert client.get(f"/api/photos/{photo_id}").status_code == 200
    assert counter.take() == Counter({"dynamodb.GetItem": 1})
    assert client.delete(f"/api/photos/{photo_id}").status_code == 204
    assert counter.take()["s3.DeleteObjects"] == 1


@pytest.mark.timeout(600)
def test_my_photos_cost_one_query_at_any_depth(app, client, settings, gallery):
    counter = CallCounter(_app_clients(app))
    page_size = settings.page_size
    cursor = _cursor_of_page_50(client, page_size, owner="me")
    counter.take()

    first = client.get("/mine")
    assert counter.take() == ONE_QUERY
    fiftieth = client.get("/mine", query_string={"cursor": cursor})
    assert counter.take() == ONE_QUERY

    newest, top_of_50 = PHOTOS - 1, PHOTOS - 1 - 49 * page_size
    assert _tile_ids(first.get_data(as_text=True))[0] == f"01JPAGEC5T{newest:016d}"
    assert _tile_ids(fiftieth.get_data(as_text=True))[0] == f"01JPAGEC5T{top_of_50:016d}"
    assert client.get("/api/photos", query_string={"owner": "me", "cursor": cursor}).status_code == 200
    assert counter.take() == ONE_QUERY
