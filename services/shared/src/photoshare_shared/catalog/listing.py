"""The newest-first lists the catalog pages through: the public gallery and each owner's photos,
and the sharing lists of the `lists` index (one's albums, an album's photos, one's links)."""

from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key

from photoshare_shared.catalog.cursor import InvalidCursor, decode_cursor, encode_cursor
from photoshare_shared.catalog.item import (
    GALLERY_INDEX,
    GALLERY_PARTITION,
    GALLERY_SORT,
    LISTS_INDEX,
    LISTS_PARTITION,
    LISTS_SORT,
    OWNER_INDEX,
    OWNER_PARTITION,
    PARTITION_KEY,
    gallery_sort,
)
from photoshare_shared.photo import PUBLIC_GALLERY, Photo


@dataclass(frozen=True)
class Listing:
    """A newest-first list of photos: one partition of one index sorted by gallery_sort."""

    index: str
    partition: str  # the attribute holding the index's partition key
    value: str

    @classmethod
    def of(cls, owner_id: str | None) -> "Listing":
        """The public gallery, or one owner's photos."""
        if owner_id is None:
            return cls(GALLERY_INDEX, GALLERY_PARTITION, PUBLIC_GALLERY)
        return cls(OWNER_INDEX, OWNER_PARTITION, owner_id)

    @property
    def cursor_fields(self) -> frozenset[str]:
        """The attributes of a LastEvaluatedKey in this index."""
        return frozenset({PARTITION_KEY, self.partition, GALLERY_SORT})

    def key_of(self, photo: Photo) -> dict[str, str]:
        """The photo's full key in this index (a cursor, or a Query's exclusive start)."""
        return {
            PARTITION_KEY: photo.photo_id,
            self.partition: self.value,
            GALLERY_SORT: gallery_sort(photo),
        }


_LISTS_CURSOR_FIELDS = frozenset({PARTITION_KEY, LISTS_PARTITION, LISTS_SORT})


def lists_page(table: Any, list_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a list in the `lists` index, newest first: one Query. The items, and the cursor
    of the next page (None on the last); InvalidCursor for a cursor of another list."""
    query: dict[str, Any] = {
        "IndexName": LISTS_INDEX,
        "KeyConditionExpression": Key(LISTS_PARTITION).eq(list_id),
        "ScanIndexForward": False,
        "Limit": limit + 1,
    }
    if cursor:
        start = decode_cursor(cursor, fields=_LISTS_CURSOR_FIELDS)
        if start[LISTS_PARTITION] != list_id:
            raise InvalidCursor("cursor belongs to another list")
        query["ExclusiveStartKey"] = start
    items = table.query(**query)["Items"]
    next_cursor = None
    if len(items) > limit:
        last = items[limit - 1]
        next_cursor = encode_cursor({name: last[name] for name in _LISTS_CURSOR_FIELDS})
    return items[:limit], next_cursor
