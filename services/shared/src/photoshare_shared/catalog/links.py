"""Share links: an unguessable token that opens one album or one photo to whoever holds it.

A link is one item, `link#<link_id>`, where the id is a digest of the token: opening a link is one
GetItem computed from the token, and a revoked or expired link is refused by that one read.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from photoshare_shared.catalog import item as item_shape
from photoshare_shared.catalog.listing import lists_page
from photoshare_shared.catalog.repository import TableRepository
from photoshare_shared.photo import iso_utc, utc_now

TOKEN_BYTES = 24  # 192 random bits


def new_token() -> str:
    """A fresh link token: 192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def link_id_of(token: str) -> str:
    """The link's id: the first 128 bits of the token's SHA-256, so the id names the link without
    opening it, and the token is the only way in."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ShareLink:
    """What one link opens, to whom, until when."""

    link_id: str
    token: str
    owner_id: str
    album_id: str | None
    photo_id: str | None
    created_at: str
    expires_at: str | None = None
    password_hash: str | None = None
    allow_download: bool = False
    show_location: bool = False
    views: int = 0
    revoked_at: str | None = None

    def is_live(self, now: datetime | None = None) -> bool:
        """Neither revoked nor expired."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > iso_utc(now or datetime.now(UTC))

    def is_owned_by(self, owner_id: str | None) -> bool:
        return owner_id is not None and self.owner_id == owner_id

    def to_item(self) -> dict[str, Any]:
        item = {
            item_shape.PARTITION_KEY: f"{item_shape.LINK_PREFIX}{self.link_id}",
            item_shape.LISTS_PARTITION: f"links#{self.owner_id}",
            item_shape.LISTS_SORT: f"{self.created_at}#{self.link_id}",
            "token": self.token,
            "link_owner": self.owner_id,
            "album_id": self.album_id,
            "target_photo": self.photo_id,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "password_hash": self.password_hash,
            "allow_download": self.allow_download or None,
            "show_location": self.show_location or None,
            "views": self.views,
            "revoked_at": self.revoked_at,
        }
        return {name: value for name, value in item.items() if value is not None}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "ShareLink":
        return cls(
            link_id=item[item_shape.PARTITION_KEY].removeprefix(item_shape.LINK_PREFIX),
            token=item["token"],
            owner_id=item["link_owner"],
            album_id=item.get("album_id"),
            photo_id=item.get("target_photo"),
            created_at=item["created_at"],
            expires_at=item.get("expires_at"),
            password_hash=item.get("password_hash"),
            allow_download=bool(item.get("allow_download", False)),
            show_location=bool(item.get("show_location", False)),
            views=int(item.get("views", 0)),
            revoked_at=item.get("revoked_at"),
        )


class LinkCatalog(TableRepository):
    """Share-link items in the photo table (a boto3 Table resource)."""

    def create(self, link: ShareLink) -> None:
        self._table.put_item(
            Item=link.to_item(),
            ConditionExpression="attribute_not_exists(#id)",
            ExpressionAttributeNames={"#id": item_shape.PARTITION_KEY},
        )

    def get(self, *, link_id: str) -> ShareLink | None:
        """The link with this id, live or not: one GetItem."""
        item = self._table.get_item(Key={item_shape.PARTITION_KEY: f"{item_shape.LINK_PREFIX}{link_id}"}).get("Item")
        return ShareLink.from_item(item) if item else None

    def open(self, token: str) -> ShareLink | None:
        """The link this token opens, or None (unknown, revoked or expired alike): one GetItem."""
        link = self.get(link_id=link_id_of(token))
        if link is None or not hmac.compare_digest(link.token, token) or not link.is_live():
            return None
        return link

    def own(self, *, owner_id: str, limit: int, cursor: str | None = None) -> tuple[list[ShareLink], str | None]:
        """One's links, newest first: one Query on the lists index."""
        items, next_cursor = lists_page(self._table, f"links#{owner_id}", limit, cursor)
        return [ShareLink.from_item(item) for item in items], next_cursor

    def revoke(self, *, link_id: str) -> None:
        """Ends the link for good (kept, marked revoked, for the owner's list)."""
        try:
            self._table.update_item(
                Key={item_shape.PARTITION_KEY: f"{item_shape.LINK_PREFIX}{link_id}"},
                UpdateExpression="SET revoked_at = :now",
                ConditionExpression="attribute_exists(#id) AND attribute_not_exists(revoked_at)",
                ExpressionAttributeNames={"#id": item_shape.PARTITION_KEY},
                ExpressionAttributeValues={":now": utc_now()},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def count_view(self, *, link_id: str) -> None:
        """One more view of the link's page."""
        self._table.update_item(
            Key={item_shape.PARTITION_KEY: f"{item_shape.LINK_PREFIX}{link_id}"},
            UpdateExpression="ADD #views :one",
            ExpressionAttributeNames={"#views": "views"},
            ExpressionAttributeValues={":one": 1},
        )
