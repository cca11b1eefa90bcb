"""Queries on the sparse attention index: photos QUEUED, PROCESSING or FAILED (never a Scan).

A QUEUED photo whose job is not in Redis yet is keyed UNSENT rather than QUEUED: it still counts
as QUEUED here, but the stuck sweep leaves it to whoever sends unsent jobs (see outbox.py).
"""

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from photoshare_shared.catalog.item import (
    ATTENTION_INDEX,
    ATTENTION_PARTITION,
    GALLERY_SORT,
    OWNER_PARTITION,
    UNSENT_JOB,
    from_item,
)
from photoshare_shared.catalog.repository import TableRepository
from photoshare_shared.photo import WAITING_SINCE, Photo, Status

# Statuses that carry the attention key; READY items leave the index.
ATTENTION_STATUSES = (Status.QUEUED, Status.PROCESSING, Status.FAILED)


class AttentionIndex(TableRepository):
    """Photos that need attention, grouped by status and ordered by creation time."""

    def count(self, *, status: Status) -> int:
        """How many photos have this (non-READY) status: Select=COUNT Queries, paged."""
        total = 0
        for key in _keys(status):
            for page in self._pages(key, Select="COUNT"):
                total += page["Count"]
        return total

    def oldest(self, *, status: Status) -> Photo | None:
        """The longest-waiting photo with this status."""
        firsts = [
            self._table.query(**self._query(key, ScanIndexForward=True, Limit=1))["Items"] for key in _keys(status)
        ]
        items = sorted((found[0] for found in firsts if found), key=lambda item: item[GALLERY_SORT])
        return from_item(items[0]) if items else None

    def unsent(self, *, limit: int) -> list[Photo]:
        """QUEUED photos whose job is not in Redis yet, oldest first."""
        return _first(self._pages(UNSENT_JOB, ScanIndexForward=True, Limit=limit), limit)

    def newest(self, *, status: Status, limit: int, owner_id: str | None = None) -> list[Photo]:
        """The most recently created photos with this status; with `owner_id`, only that owner's."""
        # Few photos need attention, so filtering them beats reading every photo of the owner's
        # (the owner index) for the few FAILED among them. Unfiltered, the first page is the answer.
        owned = {} if owner_id is None else {"FilterExpression": Attr(OWNER_PARTITION).eq(owner_id)}
        return _first(self._pages(status.value, ScanIndexForward=False, Limit=limit, **owned), limit)

    def waiting_since_before(self, *, status: Status, cutoff: str, limit: int) -> list[Photo]:
        """Photos QUEUED (by queued_at) or PROCESSING (by started_at) since before `cutoff`."""
        since = WAITING_SINCE[status]
        # created_at <= queued_at/started_at, so the sort key bounds the search too.
        pages = self._pages(
            status.value,
            extra_key=Key(GALLERY_SORT).lt(cutoff),
            FilterExpression=Attr(since).lt(cutoff),
        )
        return _first(pages, limit)

    def _query(self, key: str, extra_key: Any = None, **options: Any) -> dict[str, Any]:
        condition = Key(ATTENTION_PARTITION).eq(key)
        if extra_key is not None:
            condition = condition & extra_key
        return {"IndexName": ATTENTION_INDEX, "KeyConditionExpression": condition, **options}

    def _pages(self, key: str, extra_key: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
        query = self._query(key, extra_key, **options)
        while True:
            page = self._table.query(**query)
            yield page
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _keys(status: Status) -> tuple[str, ...]:
    """The attention keys of the photos with this status."""
    return (status.value, UNSENT_JOB) if status is Status.QUEUED else (status.value,)


def _first(pages: Iterator[dict[str, Any]], limit: int) -> list[Photo]:
    """Up to `limit` photos from filtered Query pages, reading no further page than needed (a
    filter applies after DynamoDB reads a page, so a page can hold fewer matches, or none)."""
    found: list[Photo] = []
    for page in pages:
        found += [from_item(item) for item in page["Items"]]
        if len(found) >= limit:
            break
    return found[:limit]
