"""The newest-first lists of photos the catalog pages through: the public gallery and each owner's."""

from dataclasses import dataclass

from photoshare_shared.catalog.item import (
    GALLERY_INDEX,
    GALLERY_PARTITION,
    GALLERY_SORT,
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
