"""Albums: an owner's named sets of their own photos, kept in the photo table.

An album is one item (`album#<id>`), and each photo in it one membership item
(`member#<album_id>#<photo_id>`) in the `lists` index under `album#<album_id>`, sorted by the
photo's own time: a page of an album is one Query for the ids, then one BatchGetItem for the
photos, whatever the album's or the table's size.
"""

from dataclasses import dataclass, field, replace
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from photoshare_shared.catalog import item as item_shape
from photoshare_shared.catalog.listing import lists_page
from photoshare_shared.catalog.repository import TableRepository
from photoshare_shared.keys import new_photo_id
from photoshare_shared.photo import Photo, utc_now

# BatchGetItem takes at most 100 keys, so no page of an album is longer.
MAX_PAGE = 100


@dataclass(frozen=True)
class Album:
    """One album: its owner, words, size and cover (its newest photo)."""

    album_id: str
    owner_id: str
    title: str
    created_at: str
    description: str = ""
    photo_count: int = 0
    cover_photo_id: str | None = None

    def is_owned_by(self, owner_id: str | None) -> bool:
        return owner_id is not None and self.owner_id == owner_id

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "Album":
        return cls(
            album_id=item[item_shape.PARTITION_KEY].removeprefix(item_shape.ALBUM_PREFIX),
            owner_id=item["album_owner"],
            title=item["title"],
            created_at=item["created_at"],
            description=item.get("description", ""),
            photo_count=max(0, int(item.get("photo_count", 0))),
            cover_photo_id=item.get("cover_photo_id"),
        )


@dataclass(frozen=True)
class AlbumPage:
    """Photos of one album, newest first, and the cursor of the next page (None on the last)."""

    photos: list[Photo]
    next_cursor: str | None
    photo_ids: list[str] = field(default_factory=list)  # as listed, deleted photos included


def album_key(album_id: str) -> dict[str, str]:
    return {item_shape.PARTITION_KEY: f"{item_shape.ALBUM_PREFIX}{album_id}"}


def member_key(album_id: str, photo_id: str) -> dict[str, str]:
    return {item_shape.PARTITION_KEY: f"{item_shape.MEMBER_PREFIX}{album_id}#{photo_id}"}


def member_item(album_id: str, photo: Photo) -> dict[str, Any]:
    """The item that puts one photo in one album, sorted by the photo's time in the album's list."""
    return {
        **member_key(album_id, photo.photo_id),
        item_shape.LISTS_PARTITION: _members_list(album_id),
        item_shape.LISTS_SORT: item_shape.gallery_sort(photo),
        "member_photo": photo.photo_id,
        "added_at": utc_now(),
    }


def _members_list(album_id: str) -> str:
    return f"{item_shape.ALBUM_PREFIX}{album_id}"


def _albums_list(owner_id: str) -> str:
    return f"albums#{owner_id}"


class AlbumCatalog(TableRepository):
    """Album and membership items in the photo table (a boto3 Table resource)."""

    def create(self, *, owner_id: str, title: str, description: str = "") -> Album:
        album = Album(
            album_id=new_photo_id(), owner_id=owner_id, title=title, created_at=utc_now(), description=description
        )
        self._table.put_item(
            Item={
                **album_key(album.album_id),
                item_shape.LISTS_PARTITION: _albums_list(owner_id),
                item_shape.LISTS_SORT: f"{album.created_at}#{album.album_id}",
                "album_owner": owner_id,
                "title": title,
                "description": description,
                "created_at": album.created_at,
                "photo_count": 0,
            },
            ConditionExpression="attribute_not_exists(#id)",
            ExpressionAttributeNames={"#id": item_shape.PARTITION_KEY},
        )
        return album

    def get(self, *, album_id: str) -> Album | None:
        item = self._table.get_item(Key=album_key(album_id), ConsistentRead=True).get("Item")
        return Album.from_item(item) if item else None

    def own(self, *, owner_id: str, limit: int, cursor: str | None = None) -> tuple[list[Album], str | None]:
        """One's albums, newest first: one Query."""
        items, next_cursor = lists_page(self._table, _albums_list(owner_id), limit, cursor)
        return [Album.from_item(item) for item in items], next_cursor

    def describe(self, album: Album, *, title: str | None, description: str | None) -> Album:
        """Rename and/or describe; the album as it is now."""
        changes = {name: value for name, value in (("title", title), ("description", description)) if value is not None}
        if changes:
            self._table.update_item(
                Key=album_key(album.album_id),
                UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in changes),
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#id": item_shape.PARTITION_KEY, **{f"#{name}": name for name in changes}},
                ExpressionAttributeValues={f":{name}": value for name, value in changes.items()},
            )
        return replace(album, **changes)

    def delete(self, *, album_id: str) -> None:
        """The album item, then its memberships (the photos stay)."""
        self._table.delete_item(Key=album_key(album_id))
        query: dict[str, Any] = {
            "IndexName": item_shape.LISTS_INDEX,
            "KeyConditionExpression": Key(item_shape.LISTS_PARTITION).eq(_members_list(album_id)),
            "ProjectionExpression": "#id",
            "ExpressionAttributeNames": {"#id": item_shape.PARTITION_KEY},
        }
        with self._table.batch_writer() as batch:
            while True:
                answer = self._table.query(**query)
                for item in answer["Items"]:
                    batch.delete_item(Key={item_shape.PARTITION_KEY: item[item_shape.PARTITION_KEY]})
                if "LastEvaluatedKey" not in answer:
                    break
                query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def add_photos(self, album: Album, photos: list[Photo]) -> int:
        """Put photos in the album (those already in it are skipped); how many were new."""
        added = []
        for photo in photos:
            try:
                self._table.put_item(
                    Item=member_item(album.album_id, photo),
                    ConditionExpression="attribute_not_exists(#id)",
                    ExpressionAttributeNames={"#id": item_shape.PARTITION_KEY},
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                continue
            self._table.update_item(
                Key={item_shape.PARTITION_KEY: photo.photo_id},
                UpdateExpression="ADD albums :album",
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#id": item_shape.PARTITION_KEY},
                ExpressionAttributeValues={":album": {album.album_id}},
            )
            added.append(photo)
        if added:
            self._count(album.album_id, len(added))
            newest = max(added, key=item_shape.gallery_sort)
            self._offer_cover(album.album_id, newest.photo_id, item_shape.gallery_sort(newest))
        return len(added)

    def remove_photo(self, *, album_id: str, photo_id: str) -> bool:
        """Take a photo out of an album; False when it was not in it."""
        old = self._table.delete_item(Key=member_key(album_id, photo_id), ReturnValues="ALL_OLD").get("Attributes")
        if not old:
            return False
        self._count(album_id, -1)
        try:
            self._table.update_item(
                Key={item_shape.PARTITION_KEY: photo_id},
                UpdateExpression="DELETE albums :album",
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#id": item_shape.PARTITION_KEY},
                ExpressionAttributeValues={":album": {album_id}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        album = self.get(album_id=album_id)
        if album and album.cover_photo_id == photo_id:
            self._recover(album_id)
        return True

    def forget_photo(self, photo: Photo) -> None:
        """A deleted photo leaves every album it was in."""
        for album_id in photo.albums:
            self.remove_photo(album_id=album_id, photo_id=photo.photo_id)

    def contains(self, *, album_id: str, photo_id: str) -> bool:
        """Whether the photo is in the album: one GetItem."""
        return "Item" in self._table.get_item(Key=member_key(album_id, photo_id), ProjectionExpression="member_photo")

    def page(self, *, album_id: str, limit: int, cursor: str | None = None) -> AlbumPage:
        """One page of an album, newest first: one Query, then one BatchGetItem for the photos."""
        items, next_cursor = lists_page(self._table, _members_list(album_id), min(limit, MAX_PAGE), cursor)
        ids = [item["member_photo"] for item in items]
        found = self._photos(ids)
        return AlbumPage(photos=[found[i] for i in ids if i in found], next_cursor=next_cursor, photo_ids=ids)

    def _photos(self, photo_ids: list[str]) -> dict[str, Photo]:
        if not photo_ids:
            return {}
        name = self._table.name
        request = {name: {"Keys": [{item_shape.PARTITION_KEY: i} for i in photo_ids], "ConsistentRead": True}}
        found: dict[str, Photo] = {}
        while request:
            # The Table's own client, which takes and gives plain Python values like the Table.
            answer = self._table.meta.client.batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(name, []):
                photo = item_shape.from_item(item)
                found[photo.photo_id] = photo
            request = answer.get("UnprocessedKeys") or {}  # only under throttling
        return found

    def _count(self, album_id: str, change: int) -> None:
        try:
            self._table.update_item(
                Key=album_key(album_id),
                UpdateExpression="ADD photo_count :change",
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#id": item_shape.PARTITION_KEY},
                ExpressionAttributeValues={":change": change},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def _offer_cover(self, album_id: str, photo_id: str, sort: str) -> None:
        """Make this photo the cover if it is newer than the cover (the cover is the newest photo)."""
        try:
            self._table.update_item(
                Key=album_key(album_id),
                UpdateExpression="SET cover_photo_id = :photo, cover_sort = :sort",
                ConditionExpression=(
                    "attribute_exists(#id) AND (attribute_not_exists(cover_sort) OR cover_sort < :sort)"
                ),
                ExpressionAttributeNames={"#id": item_shape.PARTITION_KEY},
                ExpressionAttributeValues={":photo": photo_id, ":sort": sort},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def _recover(self, album_id: str) -> None:
        """The cover left: the newest remaining photo becomes it (or none)."""
        items, _ = lists_page(self._table, _members_list(album_id), 1, None)
        if items:
            self._table.update_item(
                Key=album_key(album_id),
                UpdateExpression="SET cover_photo_id = :photo, cover_sort = :sort",
                ExpressionAttributeValues={
                    ":photo": items[0]["member_photo"],
                    ":sort": items[0][item_shape.LISTS_SORT],
                },
            )
        else:
            self._table.update_item(Key=album_key(album_id), UpdateExpression="REMOVE cover_photo_id, cover_sort")
