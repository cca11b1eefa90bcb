"""The photo item: how a Photo is kept in the DynamoDB table, and the table's keys and indexes.

The one place that knows the item's shape. A new Photo field is added here (to_item, from_item,
and result_attributes when the worker finds it) and to the dataclasses in photo.py, nowhere else.
The deploy template repeats table_definition; tests/unit/deploy/test_deploy_template.py compares them.
"""

from typing import Any

from photoshare_shared.photo import PUBLIC_GALLERY, Photo, ProcessingResult, Status, Thumbnail, Visibility

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


def content_key(owner_id: str | None, sha256: str | None) -> str | None:
    """The content index's key of a photo: None unless both owner and checksum are known."""
    return f"{owner_id}#{sha256}" if owner_id and sha256 else None


# Sharing items live in the same table, their table key a prefix and an id, so that they never
# meet a photo id (a ULID has no '#'). None of them carries the photo indexes' attributes.
ALBUM_PREFIX = "album#"  # album#<album_id>
MEMBER_PREFIX = "member#"  # member#<album_id>#<photo_id>: one photo in one album
LINK_PREFIX = "link#"  # link#<link_id>, the id being a digest of the token
ACCOUNT_PREFIX = "account#"  # account#<sub>: an account's preferences
# The lists of sharing items, each one partition sorted by `<created_at>#<id>`, newest first on
# a descending Query: `albums#<sub>` (one's albums), `album#<album_id>` (an album's photos, sorted
# by the photo's own time), `links#<sub>` (one's share links), `accounts` (every preferences item,
# so that the photo count can leave them out).
LISTS_INDEX = "lists"
LISTS_PARTITION = "list_id"
LISTS_SORT = "list_sort"


def gallery_sort(photo: Photo) -> str:
    """The photo's sort key in every index: creation time, then id to break ties."""
    return f"{photo.created_at}#{photo.photo_id}"


def to_item(photo: Photo) -> dict[str, Any]:
    """The DynamoDB item (None values left out)."""
    item: dict[str, Any] = {
        PARTITION_KEY: photo.photo_id,
        GALLERY_PARTITION: PUBLIC_GALLERY if photo.visibility is Visibility.PUBLIC else None,
        "share_location": photo.share_location or None,
        "allow_download": photo.allow_download or None,
        "albums": set(photo.albums) or None,
        GALLERY_SORT: gallery_sort(photo),
        OWNER_PARTITION: photo.owner_id,
        CONTENT_PARTITION: content_key(photo.owner_id, photo.sha256),
        "owner_name": photo.owner_name,
        "filename": photo.filename,
        "content_type": photo.content_type,
        "size_bytes": photo.size_bytes,
        "created_at": photo.created_at,
        "status": photo.status.value,
        "attempts": photo.attempts,
        "retries": photo.retries or None,
        "error": photo.error,
        "queued_at": photo.queued_at,
        "started_at": photo.started_at,
        "finished_at": photo.finished_at,
        "width": photo.width,
        "height": photo.height,
        "format": photo.format,
        "sha256": photo.sha256,
        "average_color": photo.average_color,
        "exif": photo.exif or None,
        "thumbnails": _thumbnails(photo.thumbnails) or None,
    }
    if photo.status is not Status.READY:
        item[ATTENTION_PARTITION] = UNSENT_JOB if photo.job_unsent else photo.status.value
    return {name: value for name, value in item.items() if value is not None}


def from_item(item: dict[str, Any]) -> Photo:
    """Rebuild a Photo from a DynamoDB item (numbers arrive as Decimal)."""

    def optional_int(name: str) -> int | None:
        return int(item[name]) if name in item else None

    return Photo(
        photo_id=item[PARTITION_KEY],
        filename=item["filename"],
        content_type=item["content_type"],
        size_bytes=int(item["size_bytes"]),
        created_at=item["created_at"],
        status=Status(item["status"]),
        visibility=Visibility.PUBLIC if GALLERY_PARTITION in item else Visibility.PRIVATE,
        share_location=bool(item.get("share_location", False)),
        allow_download=bool(item.get("allow_download", False)),
        albums=frozenset(item.get("albums", ())),
        owner_id=item.get(OWNER_PARTITION),
        owner_name=item.get("owner_name"),
        attempts=int(item.get("attempts", 0)),
        retries=int(item.get("retries", 0)),
        job_unsent=item.get(ATTENTION_PARTITION) == UNSENT_JOB,
        error=item.get("error"),
        queued_at=item.get("queued_at"),
        started_at=item.get("started_at"),
        finished_at=item.get("finished_at"),
        width=optional_int("width"),
        height=optional_int("height"),
        format=item.get("format"),
        sha256=item.get("sha256"),
        average_color=item.get("average_color"),
        exif=dict(item.get("exif", {})),
        thumbnails={
            name: Thumbnail(
                key=t["key"],
                width=int(t["width"]),
                height=int(t["height"]),
                content_type=t["content_type"],
            )
            for name, t in item.get("thumbnails", {}).items()
        },
    )


def result_attributes(result: ProcessingResult) -> dict[str, Any]:
    """The attributes a READY item gets from the worker's result, by name."""
    return {
        "width": result.width,
        "height": result.height,
        "format": result.format,
        "sha256": result.sha256,
        "exif": result.exif,
        "thumbnails": _thumbnails(result.thumbnails),
        "average_color": result.average_color,
    } | {
        name: value
        for name, value in (("content_type", result.content_type), (CONTENT_PARTITION, result.content_key))
        if value is not None
    }


def _thumbnails(thumbnails: dict[str, Thumbnail]) -> dict[str, dict[str, Any]]:
    return {name: vars(t) for name, t in thumbnails.items()}


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
                CONTENT_PARTITION,
            )
        ],
        "KeySchema": [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            _index(GALLERY_INDEX, GALLERY_PARTITION, GALLERY_SORT),
            _index(ATTENTION_INDEX, ATTENTION_PARTITION, GALLERY_SORT),
            _index(OWNER_INDEX, OWNER_PARTITION, GALLERY_SORT),
            _index(LISTS_INDEX, LISTS_PARTITION, LISTS_SORT),
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
