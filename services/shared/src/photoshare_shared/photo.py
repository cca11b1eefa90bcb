"""The photo record and its lifecycle states (how it is stored: catalog/item.py)."""

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

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


# Public photos are in the one public gallery (private ones are left out of it); the owner
# index lists each person's own.
PUBLIC_GALLERY = "public"


class Visibility(StrEnum):
    """Who may see a photo: only its owner, or everyone (then it is in the public gallery)."""

    PRIVATE = "private"
    PUBLIC = "public"


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
    # Public photos carry the gallery index's partition key, private ones do not (the index is
    # sparse), so the gallery can only ever list public photos. Items from before visibility
    # existed all carry it: they stay public.
    visibility: Visibility = Visibility.PUBLIC
    # The owner's choices for people other than themselves: see the position, download the original.
    share_location: bool = False
    allow_download: bool = False
    # The albums it was added to (their membership items are removed with the photo).
    albums: frozenset[str] = frozenset()
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


@dataclass(frozen=True)
class ProcessingResult:
    """What the worker learnt about a photo, written when it becomes READY."""

    width: int
    height: int
    format: str
    sha256: str
    exif: dict[str, Any]
    thumbnails: dict[str, Thumbnail]
    average_color: str | None = None
    # The content type the decode found (a direct upload's is unchecked until then), and the
    # verified `<owner_id>#<sha256>` for duplicate lookups (catalog.item.content_key).
    content_type: str | None = None
    content_key: str | None = None
