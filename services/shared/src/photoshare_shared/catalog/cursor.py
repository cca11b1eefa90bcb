"""Opaque page cursors: a DynamoDB LastEvaluatedKey as a URL-safe token, checked on the way back."""

import base64
import binascii
import json

_MAX_TOKEN_CHARS = 512


class InvalidCursor(ValueError):
    """The cursor was not made by this service (or was altered)."""


def encode_cursor(key: dict[str, str]) -> str:
    """Turn a LastEvaluatedKey of string attributes into an opaque URL-safe token."""
    payload = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(token: str, *, fields: frozenset[str]) -> dict[str, str]:
    """Recover a key with exactly `fields` (all strings) from a token, or raise InvalidCursor."""
    if len(token) > _MAX_TOKEN_CHARS:
        raise InvalidCursor("cursor is not valid")
    try:
        key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor is not valid") from exc
    if not isinstance(key, dict) or set(key) != fields:
        raise InvalidCursor("cursor is not valid")
    if not all(isinstance(value, str) and value for value in key.values()):
        raise InvalidCursor("cursor is not valid")
    return key
