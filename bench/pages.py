"""Target 5: a gallery page's AWS requests and time, on page 1 and page 50 of 10,000 photos.

In-process moto (`mock_aws`), the real app from `create_app`, requests counted with botocore
`before-call` hooks on every AWS client the app holds (URL presigning makes no call, so it is
rightly not counted). The time is the page's p50 through Flask's test client; with moto the
Query itself runs in-process, so the figure is the app's own cost plus an emulated Query.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from typing import Any

from bench.report import emit

PHOTOS = 10_000
PAGE = 50


def photo_items(count: int, *, exif: bool = True) -> list[dict[str, Any]]:
    """`count` READY items, one second apart, with thumbnails and EXIF as the worker leaves them."""
    from decimal import Decimal

    from tests.support.photos import ready_item

    items = []
    for n in range(count):
        seconds = n % 86400
        stamp = f"2026-07-{1 + n // 86400:02d}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000Z"
        item = ready_item(
            f"01JBENCH{n:018d}",
            f"IMG_{n:05d}.jpg",
            stamp,
            queued_at=stamp,
            started_at=stamp,
            sha256="0" * 64,
            exif={"make": "Canon", "model": "Canon EOS R6", "f_number": Decimal("5.6")} if exif else {},
        )
        items.append(item)
    return items


def fill(table: Any, count: int = PHOTOS) -> None:
    """Insert the items fast (BatchWriteItem, 25 per request)."""
    with table.batch_writer() as batch:
        for item in photo_items(count):
            batch.put_item(Item=item)


def aws_clients(app: Any) -> list[Any]:
    """Every boto3 client the app's backends hold (store, signer, catalog and attention tables)."""
    backends = app.extensions["photoshare"]
    found = []
    for holder in vars(backends).values():
        for name in ("client", "signer", "table"):
            obj = getattr(holder, name, None)
            client = getattr(getattr(obj, "meta", None), "client", obj) if name == "table" else obj
            if client is not None and hasattr(client, "meta") and client not in found:
                found.append(client)
    return found


class CallCounter:
    """Counts AWS API calls ("dynamodb.Query", "s3.GetObject"...) made through given clients."""

    def __init__(self, clients: list[Any]) -> None:
        self.calls: Counter[str] = Counter()
        self.seconds = 0.0  # time spent inside those calls (here: moto emulating them)
        self._started = 0.0
        for client in clients:
            client.meta.events.register("before-call.*.*", self._count)
            client.meta.events.register("after-call.*.*", self._done)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}.{model.name}"] += 1
        self._started = time.perf_counter()

    def _done(self, **_: Any) -> None:
        self.seconds += time.perf_counter() - self._started

    def take(self) -> Counter[str]:
        calls, self.calls, self.seconds = self.calls, Counter(), 0.0
        return calls


def cursor_of_page(client: Any, page: int, page_size: int) -> str | None:
    """The cursor that opens gallery page `page` (1-based), from the JSON API's own cursors
    (walked 100 photos at a time: the API's largest page, so fewer emulated Queries)."""
    cursor, skip = None, (page - 1) * page_size
    while skip:
        limit = min(100, skip)
        body = client.get(
            "/api/photos", query_string={"limit": limit, **({"cursor": cursor} if cursor else {})}
        ).get_json()
        cursor, skip = body["next_cursor"], skip - limit
    return cursor


def main() -> None:
    import argparse

    from moto import mock_aws

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=PHOTOS)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out")
    args = parser.parse_args()
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "PHOTOSHARE_S3_PUBLIC_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")

    from photoshare_shared.aws import make_table
    from photoshare_shared.provision import ensure_resources
    from photoshare_shared.settings import Settings
    from photoshare_web import create_app

    settings = Settings(
        bucket="bench-bucket",
        table="bench-photos",
        aws_region="us-east-1",
        secret_key="bench",
        redis_url="redis://127.0.0.1:1/0",
    )
    result: dict[str, Any] = {"photos": args.photos}
    with mock_aws():
        ensure_resources(settings)
        t = time.perf_counter()
        fill(make_table(settings), args.photos)
        result["fill_s"] = round(time.perf_counter() - t, 1)
        app = create_app(settings)
        client = app.test_client()
        counter = CallCounter(aws_clients(app))
        cursors = {1: None, PAGE: cursor_of_page(client, PAGE, settings.page_size)}
        counter.take()
        for page, cursor in cursors.items():
            url = "/" + (f"?cursor={cursor}" if cursor else "")
            times, aws_times = [], []
            for i in range(args.runs + 1):
                t = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - t) * 1000
                assert response.status_code == 200, response.status_code
                aws_ms = counter.seconds * 1000
                calls = counter.take()
                if i:
                    times.append(elapsed)
                    aws_times.append(aws_ms)
            result[f"page_{page}"] = {
                "calls": dict(calls),  # of the last request
                "tiles": response.get_data(as_text=True).count('class="tile"'),
                "p50_ms": round(statistics.median(times), 1),
                "p50_in_aws_calls_ms": round(statistics.median(aws_times), 1),
                "p50_app_ms": round(statistics.median(t - a for t, a in zip(times, aws_times, strict=True)), 1),
            }
    emit(result, args.out)


if __name__ == "__main__":
    main()
