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

# Public photos are in the one public gallery (private ones lack the attribute); the owner index
# lists each person's own.
PUBLIC_GALLERY = "public"

# Sharing items live in the same table, their table key a prefix and an id, so that they never
# meet a photo id (a ULID has no '#'). None of them carries the photo indexes' attributes.
ALBUM_PREFIX = "album#"  # album#<album_id>
MEMBER_PREFIX = "member#"  # member#<album_id>#<photo_id>: one photo in one album
LINK_PREFIX = "link#"  # link#<link_id>, the id being a digest of the token
ACCOUNT_PREFIX = "account#"  # account#<sub>: an account's preferences
# The lists of sharing items, each one partition sorted by `<created_at>#<id>`, newest first on
# a descending Query: `albums#<sub>` (one's albums), `album#<album_id>` (an album's photos, sorted
# by the photo's own time), `links#<sub>` (one's share links).
LISTS_INDEX = "lists"
LISTS_PARTITION = "list_id"
LISTS_SORT = "list_sort"


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
                LISTS_PARTITION,
                LISTS_SORT,
            )
        ],
        "KeySchema": [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            _index(GALLERY_INDEX, GALLERY_PARTITION, GALLERY_SORT),
            _index(ATTENTION_INDEX, ATTENTION_PARTITION, GALLERY_SORT),
            _index(OWNER_INDEX, OWNER_PARTITION, GALLERY_SORT),
            _index(LISTS_INDEX, LISTS_PARTITION, LISTS_SORT),
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
