"""The photos in the DynamoDB catalog: reads, pages and every write of a photo's item."""

from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from photoshare_shared.catalog.cursor import InvalidCursor, decode_cursor, encode_cursor
from photoshare_shared.catalog.item import (
    ATTENTION_PARTITION,
    CONTENT_INDEX,
    CONTENT_PARTITION,
    GALLERY_PARTITION,
    LISTS_INDEX,
    PARTITION_KEY,
    UNSENT_JOB,
    content_key,
    from_item,
    result_attributes,
    to_item,
)
from photoshare_shared.catalog.listing import Listing
from photoshare_shared.catalog.repository import TableRepository
from photoshare_shared.photo import PUBLIC_GALLERY, WAITING_SINCE, Photo, ProcessingResult, Status, Visibility, utc_now


@dataclass(frozen=True)
class Page:
    """One gallery page, newest first, and the cursor of the next page (None on the last)."""

    photos: list[Photo]
    next_cursor: str | None


# Placeholders for attribute names that are DynamoDB reserved words (or our key names).
_NAMES = {
    "#status": "status",
    "#attention": ATTENTION_PARTITION,
    "#error": "error",
    "#id": PARTITION_KEY,
    "#gallery": GALLERY_PARTITION,
}
_REQUEUE = "SET #status = :queued, #attention = :queued, queued_at = :now"


class PhotoCatalog(TableRepository):
    """Photo items in one DynamoDB table (a boto3 Table resource)."""

    def add(self, *, photo: Photo) -> None:
        """Store a new photo; never overwrites an existing id."""
        self._table.put_item(
            Item=to_item(photo),
            ConditionExpression="attribute_not_exists(#id)",
            ExpressionAttributeNames={"#id": PARTITION_KEY},
        )

    def get(self, *, photo_id: str) -> Photo | None:
        """The photo with this id, or None."""
        item = self._table.get_item(Key={PARTITION_KEY: photo_id}, ConsistentRead=True)
        return from_item(item["Item"]) if "Item" in item else None

    def page(self, *, limit: int, cursor: str | None = None, owner_id: str | None = None) -> Page:
        """One page of the public gallery, or of one owner's photos, newest first: exactly one
        Query, never a Scan."""
        listing = Listing.of(owner_id)
        query: dict[str, Any] = {
            "IndexName": listing.index,
            "KeyConditionExpression": Key(listing.partition).eq(listing.value),
            "ScanIndexForward": False,
            # One extra item tells whether a next page exists, so the last page has no cursor.
            "Limit": limit + 1,
        }
        if cursor:
            start = decode_cursor(cursor, fields=listing.cursor_fields)
            if start[listing.partition] != listing.value:
                raise InvalidCursor("cursor belongs to another list of photos")
            query["ExclusiveStartKey"] = start
        items = self._table.query(**query)["Items"]
        photos = [from_item(item) for item in items[:limit]]
        next_cursor = None
        if len(items) > limit:
            next_cursor = encode_cursor(listing.key_of(photos[-1]))
        return Page(photos=photos, next_cursor=next_cursor)

    def neighbours(self, *, photo: Photo) -> tuple[Photo | None, Photo | None]:
        """The photos just newer and just older than `photo` in its list (one Query each way): the
        gallery for a public photo, its owner's photos for a private one."""
        listing = Listing.of(None if photo.visibility is Visibility.PUBLIC else photo.owner_id)
        start = listing.key_of(photo)
        found: list[Photo | None] = []
        for forward in (True, False):  # ascending = newer, descending = older
            items = self._table.query(
                IndexName=listing.index,
                KeyConditionExpression=Key(listing.partition).eq(listing.value),
                ScanIndexForward=forward,
                ExclusiveStartKey=start,
                Limit=1,
            )["Items"]
            found.append(from_item(items[0]) if items else None)
        return found[0], found[1]

    def find_duplicate(self, *, owner_id: str, sha256: str) -> Photo | None:
        """A photo of this owner with exactly these bytes, or None: one Query on the content index."""
        items = self._table.query(
            IndexName=CONTENT_INDEX,
            KeyConditionExpression=Key(CONTENT_PARTITION).eq(content_key(owner_id, sha256)),
            Limit=1,
        )["Items"]
        return from_item(items[0]) if items else None

    def ping(self) -> None:
        """Raise unless the table answers."""
        self.item_count()

    def item_count(self) -> int:
        """How many photo items the table holds, as DynamoDB reports it (AWS refreshes the counts
        about every 6 hours): the table's count less the `lists` index's, which holds every other
        item (albums, memberships, links, preferences). The emulator reports no index count."""
        table = self._table.meta.client.describe_table(TableName=self._table.name)["Table"]
        others = sum(
            int(index.get("ItemCount", 0))
            for index in table.get("GlobalSecondaryIndexes", [])
            if index["IndexName"] == LISTS_INDEX
        )
        return max(0, int(table["ItemCount"]) - others)

    def delete(self, *, photo_id: str) -> None:
        """Remove the item; removing a missing item is not an error."""
        self._table.delete_item(Key={PARTITION_KEY: photo_id})

    def update_sharing(
        self,
        *,
        photo_id: str,
        visibility: Visibility | None = None,
        share_location: bool | None = None,
        allow_download: bool | None = None,
    ) -> Photo | None:
        """Change who may see a photo, its position and its original (None: leave as is); the
        photo as it is now, or None when it is gone. Public means in the gallery index."""
        sets, removes, values = ["#status = #status"], [], {}
        if visibility is Visibility.PUBLIC:
            sets.append("#gallery = :gallery")
            values[":gallery"] = PUBLIC_GALLERY
        elif visibility is Visibility.PRIVATE:
            removes.append("#gallery")
        for name, value in (("share_location", share_location), ("allow_download", allow_download)):
            if value is True:
                sets.append(f"{name} = :true")
                values[":true"] = True
            elif value is False:
                removes.append(name)  # off is the default: the attribute is left out, like None
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        return _photo(self._update(photo_id, update, None, values))

    def start_processing(self, *, photo_id: str, job_id: str | None = None) -> Photo | None:
        """Move QUEUED (or an interrupted PROCESSING) to PROCESSING and count the attempt.

        With `job_id` (the Celery task id, which a redelivery or a retry keeps), a PROCESSING photo
        restarts only for its own job: a second message for the same photo (sent twice, e.g. after a
        send whose failure was only reported) finds it taken and does nothing.
        Returns None when there is nothing to do: the photo was deleted, is done, or another job has it.
        """
        update = (
            "SET #status = :processing, #attention = :processing, started_at = :now, "
            "attempts = if_not_exists(attempts, :zero) + :one"
        )
        interrupted = "#status = :processing"
        values: dict[str, Any] = {":processing": Status.PROCESSING.value, ":queued": Status.QUEUED.value}
        if job_id is not None:
            update += ", job_id = :job"
            interrupted += " AND (attribute_not_exists(job_id) OR job_id = :job)"
            values[":job"] = job_id
        return _photo(
            self._update(
                photo_id,
                f"{update} REMOVE #error",
                f"#status = :queued OR ({interrupted})",
                {**values, ":zero": 0, ":one": 1},
            )
        )

    def requeue_failed(self, *, photo_id: str, max_retries: int) -> Photo | None:
        """FAILED → QUEUED with a fresh attempt count (a person asked to retry), counting the retry;
        None when the photo is not FAILED or was retried `max_retries` times already."""
        return _photo(
            self._update(
                photo_id,
                f"{_REQUEUE}, attempts = :zero, retries = if_not_exists(retries, :zero) + :one "
                "REMOVE #error, finished_at",
                "#status = :expected AND (attribute_not_exists(retries) OR retries < :max_retries)",
                {
                    ":queued": Status.QUEUED.value,
                    ":expected": Status.FAILED.value,
                    ":zero": 0,
                    ":one": 1,
                    ":max_retries": max_retries,
                },
            )
        )

    def mark_unsent(self, *, photo_id: str) -> bool:
        """Record that this QUEUED photo's job is not in Redis; False when it is no longer QUEUED."""
        return self._applied(
            photo_id,
            "SET #attention = :unsent",
            "#status = :queued",
            {":unsent": UNSENT_JOB, ":queued": Status.QUEUED.value},
        )

    def claim_unsent(self, *, photo_id: str) -> bool:
        """Take an unsent job to send it now; False when another process took it first.

        queued_at restarts, so the stuck sweep counts from the moment the job reaches Redis.
        """
        return self._applied(
            photo_id,
            "SET #attention = :queued, queued_at = :now",
            "#attention = :unsent",
            {":unsent": UNSENT_JOB, ":queued": Status.QUEUED.value},
        )

    def requeue_stuck(self, *, photo: Photo) -> Photo | None:
        """Mark a stuck photo QUEUED again, unless it moved on since it was seen (then None)."""
        # The same run we judged stuck, not a newer one that started meanwhile.
        return _photo(
            self._update(
                photo.photo_id,
                f"{_REQUEUE} REMOVE #error, finished_at",
                f"#status = :expected AND {WAITING_SINCE[photo.status]} = :since",
                {":queued": Status.QUEUED.value, ":expected": photo.status.value, ":since": photo.waiting_since},
            )
        )

    def mark_ready(self, *, photo_id: str, result: ProcessingResult) -> bool:
        """Record the worker's result; False when the photo was deleted meanwhile."""
        found = result_attributes(result)
        sets = "".join(f", #{name} = :{name}" for name in found)
        return self._applied(
            photo_id,
            f"SET #status = :ready, finished_at = :now{sets} REMOVE #attention, #error",
            None,
            {":ready": Status.READY.value, **{f":{name}": value for name, value in found.items()}},
            names={f"#{name}": name for name in found},
        )

    def mark_failed(self, *, photo_id: str, error: str) -> bool:
        """Record a permanent failure with its reason; False when the photo is gone or READY."""
        return self._applied(
            photo_id,
            "SET #status = :failed, #attention = :failed, #error = :error, finished_at = :now",
            "#status <> :ready",
            {":failed": Status.FAILED.value, ":error": error[:300], ":ready": Status.READY.value},
        )

    def _applied(self, photo_id: str, *update: Any, **options: Any) -> bool:
        """Whether a conditional update (`_update`'s arguments) applied; nothing is shipped back."""
        return self._update(photo_id, *update, returns="NONE", **options) is not None

    def _update(
        self,
        photo_id: str,
        update: str,
        condition: str | None,
        values: dict[str, Any],
        *,
        names: dict[str, str] | None = None,
        returns: str = "ALL_NEW",
    ) -> dict[str, Any] | None:
        """A conditional update of an existing item: its attributes as `returns` asks ({} for NONE),
        or None if a condition failed.

        The existence condition is what stops a late worker from resurrecting a deleted photo.
        """
        condition = "attribute_exists(#id)" + (f" AND {condition}" if condition else "")
        used = {name: attribute for name, attribute in _NAMES.items() if name in update or name in condition}
        try:
            result = self._table.update_item(
                Key={PARTITION_KEY: photo_id},
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames={**used, **(names or {})},
                **_values({**values, ":now": utc_now()} if ":now" in update else values),
                ReturnValues=returns,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return result.get("Attributes", {})


def _values(values: dict[str, Any]) -> dict[str, Any]:
    """ExpressionAttributeValues, left out when empty (DynamoDB refuses an empty map)."""
    return {"ExpressionAttributeValues": values} if values else {}


def _photo(item: dict[str, Any] | None) -> Photo | None:
    """The photo of an updated item (None stays None)."""
    return None if item is None else from_item(item)
