"""Each account's preferences, one item per account (`account#<sub>`) in the photo table."""

from typing import Any

from photoshare_shared.catalog import item as item_shape
from photoshare_shared.photo import Visibility


class AccountPreferences:
    """The visibility an account's new uploads get unless the upload says otherwise."""

    def __init__(self, table: Any, *, site_default: Visibility) -> None:
        self._table = table
        self._site_default = site_default

    def default_visibility(self, owner_id: str) -> Visibility:
        """The account's choice, else the site's default for accounts that never chose: one GetItem."""
        item = self._table.get_item(Key=_key(owner_id)).get("Item") or {}
        return Visibility(item.get("default_visibility", self._site_default))

    def set_default_visibility(self, owner_id: str, visibility: Visibility) -> None:
        # In the lists index like every item that is not a photo, so the photo count can leave it out.
        self._table.put_item(
            Item={
                **_key(owner_id),
                item_shape.LISTS_PARTITION: "accounts",
                item_shape.LISTS_SORT: owner_id,
                "default_visibility": visibility.value,
            }
        )


def _key(owner_id: str) -> dict[str, str]:
    return {item_shape.PARTITION_KEY: f"{item_shape.ACCOUNT_PREFIX}{owner_id}"}
