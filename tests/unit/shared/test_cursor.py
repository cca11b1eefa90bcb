import pytest

from photoshare_shared.catalog.cursor import InvalidCursor, decode_cursor, encode_cursor

FIELDS = frozenset({"photo_id", "gallery", "gallery_sort"})
KEY = {"photo_id": "01J", "gallery": "public", "gallery_sort": "2026-01-01T00:00:00.000Z#01J"}


def test_round_trip_is_url_safe():
    token = encode_cursor(KEY)
    assert token.isascii() and not set(token) & set("+/=&?#")
    assert decode_cursor(token, fields=FIELDS) == KEY


@pytest.mark.parametrize(
    "token",
    [
        "",
        "!!!",
        "e30",
        encode_cursor({"photo_id": "x"}),
        encode_cursor({**KEY, "extra": "y"}),
        encode_cursor({**KEY, "photo_id": ""}),
        "A" * 600,
        "bm90IGpzb24",
    ],
)
def test_foreign_or_altered_tokens_are_rejected(token):
    with pytest.raises(InvalidCursor):
        decode_cursor(token, fields=FIELDS)


def test_non_string_values_are_rejected():
    import base64
    import json

    token = base64.urlsafe_b64encode(json.dumps({**KEY, "photo_id": 5}).encode()).decode()
    with pytest.raises(InvalidCursor):
        decode_cursor(token, fields=FIELDS)
