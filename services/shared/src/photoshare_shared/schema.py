"""The DynamoDB table's keys and indexes: the one definition the app and the deploy template share."""

from typing import Any

PARTITION_KEY = "photo_id"
GALLERY_INDEX = "gallery"
GALLERY_PARTITION = "gallery"
GALLERY_SORT = "gallery_sort"  # created_at#photo_id, so the index sorts by time, newest first on read
# Sparse: only items that are not READY carry this attribute, holding their status, so
# "what is queued, processing or failed" is a Query per status instead of a Scan.
ATTENTION_INDEX = "attention"
ATTENTION_PARTITION = "attention"
# The attention key of a QUEUED photo whose job could not be sent to Redis yet (instead of
# "QUEUED"), so whoever sends it later finds exactly those with one Query.
UNSENT_JOB = "UNSENT"
# "My photos": each owner's photos, newest first. Sparse too: photos from before accounts
# existed have no owner and stay out of it.
OWNER_INDEX = "owner"
OWNER_PARTITION = "owner_id"  # the Cognito user's `sub`

# Duplicates by content: `<owner_id>#<sha256>` of photos whose checksum is known, so "has this
# person uploaded these bytes before?" is one Query. Sparse like the owner index.
CONTENT_INDEX = "content"
CONTENT_PARTITION = "content_key"

# Every photo is in the one public gallery; the owner index lists each person's own.
PUBLIC_GALLERY = "public"


def table_definition(table_name: str) -> dict[str, Any]:
    """Arguments for DynamoDB CreateTable (on-demand billing)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in (
                PARTITION_KEY,
                GALLERY_PARTITION,
                GALLERY_SORT,
                ATTENTION_PARTITION,
                OWNER_PARTITION,
                CONTENT_PARTITION,
            )
        ],
        "KeySchema": [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            _index(GALLERY_INDEX, GALLERY_PARTITION, GALLERY_SORT),
            _index(ATTENTION_INDEX, ATTENTION_PARTITION, GALLERY_SORT),
            _index(OWNER_INDEX, OWNER_PARTITION, GALLERY_SORT),
            _index(CONTENT_INDEX, CONTENT_PARTITION, GALLERY_SORT),
        ],
    }


def _index(name: str, partition: str, sort: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": partition, "KeyType": "HASH"},
            {"AttributeName": sort, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def content_key(owner_id: str | None, sha256: str | None) -> str | None:
    """The content index's key of a photo: None unless both owner and checksum are known."""
    return f"{owner_id}#{sha256}" if owner_id and sha256 else None
