"""The photo record as stored in DynamoDB, and its lifecycle states."""

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from photoshare_shared import schema
from photoshare_shared.imageformats import file_extension


class Status(StrEnum):
    """Where a photo's processing job stands."""

    QUEUED = "QUEUED"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


def iso_utc(moment: datetime) -> str:
    """A time as the ISO 8601 UTC string stored in items (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> str:
    """The current time as stored in items."""
    return iso_utc(datetime.now(UTC))


_MAX_FILENAME_CHARS = 200


def display_filename(raw: str | None) -> str:
    """The client's file name as display text only: no path, no control characters, bounded."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return name.strip()[:_MAX_FILENAME_CHARS] or "photo"


# The time a photo in a waiting state has waited since: what the recovery sweep judges.
WAITING_SINCE = {Status.QUEUED: "queued_at", Status.PROCESSING: "started_at"}


@dataclass(frozen=True)
class Thumbnail:
    """One derivative stored in S3."""

    key: str
    width: int
    height: int
    content_type: str


@dataclass(frozen=True)
class Photo:
    """One photo: the original's facts, its job state and, once READY, what the worker found."""

    photo_id: str
    filename: str
    content_type: str
    size_bytes: int
    created_at: str
    status: Status = Status.QUEUED
    gallery: str = schema.PUBLIC_GALLERY
    # Who uploaded it: the account's stable id (Cognito `sub`) and its username, for display.
    # None only for photos stored before accounts existed: nobody may delete those.
    owner_id: str | None = None
    owner_name: str | None = None
    # Processing runs of the current round (a person's retry starts a new round at 0) and the
    # rounds people asked for: retries never go down, which bounds a photo's work for good.
    attempts: int = 0
    retries: int = 0
    # QUEUED, but its job is not in Redis yet (Redis was down when it was queued).
    job_unsent: bool = False
    error: str | None = None
    queued_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    width: int | None = None
    height: int | None = None
    format: str | None = None
    sha256: str | None = None
    average_color: str | None = None
    exif: dict[str, Any] = field(default_factory=dict)
    thumbnails: dict[str, Thumbnail] = field(default_factory=dict)

    @property
    def waiting_since(self) -> str | None:
        """When this QUEUED or PROCESSING photo entered its state (None in other states)."""
        field_name = WAITING_SINCE.get(self.status)
        return getattr(self, field_name) if field_name else None

    @property
    def download_name(self) -> str:
        """The name the original is downloaded under: the uploader's name with the extension of the
        format its content was checked to be, never one a computer would open as a page or a program."""
        stem, dot, _ = self.filename.rpartition(".")
        if not dot or not stem.strip(". "):  # no extension, or a name that is all extension
            stem = self.filename
        return f"{stem}.{file_extension(self.content_type)}"

    def is_owned_by(self, owner_id: str | None) -> bool:
        """True when this photo was uploaded by the account `owner_id`."""
        return owner_id is not None and self.owner_id == owner_id

    @property
    def gallery_sort(self) -> str:
        """Sort key in the gallery index: creation time, then id to break ties."""
        return f"{self.created_at}#{self.photo_id}"

    def to_item(self) -> dict[str, Any]:
        """The DynamoDB item (None values left out)."""
        item: dict[str, Any] = {
            schema.PARTITION_KEY: self.photo_id,
            schema.GALLERY_PARTITION: self.gallery,
            schema.GALLERY_SORT: self.gallery_sort,
            schema.OWNER_PARTITION: self.owner_id,
            schema.CONTENT_PARTITION: schema.content_key(self.owner_id, self.sha256),
            "owner_name": self.owner_name,
            "filename": self.filename,
            "content_type": self.content_type,
            "size_bytes": self.size_bytes,
            "created_at": self.created_at,
            "status": self.status.value,
            "attempts": self.attempts,
            "retries": self.retries or None,
            "error": self.error,
            "queued_at": self.queued_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "sha256": self.sha256,
            "average_color": self.average_color,
            "exif": self.exif or None,
            "thumbnails": {name: vars(t) for name, t in self.thumbnails.items()} or None,
        }
        if self.status is not Status.READY:
            item[schema.ATTENTION_PARTITION] = schema.UNSENT_JOB if self.job_unsent else self.status.value
        return {name: value for name, value in item.items() if value is not None}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "Photo":
        """Rebuild a Photo from a DynamoDB item (numbers arrive as Decimal)."""

        def optional_int(name: str) -> int | None:
            return int(item[name]) if name in item else None

        return cls(
            photo_id=item[schema.PARTITION_KEY],
            filename=item["filename"],
            content_type=item["content_type"],
            size_bytes=int(item["size_bytes"]),
            created_at=item["created_at"],
            status=Status(item["status"]),
            gallery=item.get(schema.GALLERY_PARTITION, schema.PUBLIC_GALLERY),
            owner_id=item.get(schema.OWNER_PARTITION),
            owner_name=item.get("owner_name"),
            attempts=int(item.get("attempts", 0)),
            retries=int(item.get("retries", 0)),
            job_unsent=item.get(schema.ATTENTION_PARTITION) == schema.UNSENT_JOB,
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
