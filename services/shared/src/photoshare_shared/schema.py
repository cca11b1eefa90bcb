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

# Until accounts exist every photo belongs to the one public gallery.
PUBLIC_GALLERY = "public"


def table_definition(table_name: str) -> dict[str, Any]:
    """Arguments for DynamoDB CreateTable (on-demand billing)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in (PARTITION_KEY, GALLERY_PARTITION, GALLERY_SORT, ATTENTION_PARTITION)
        ],
        "KeySchema": [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            _index(GALLERY_INDEX, GALLERY_PARTITION, GALLERY_SORT),
            _index(ATTENTION_INDEX, ATTENTION_PARTITION, GALLERY_SORT),
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
