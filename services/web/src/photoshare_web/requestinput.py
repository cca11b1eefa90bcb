"""Reading what a request sends: whole numbers from the query string, JSON objects from the body, and
the values their fields may take.

Each refuses bad input with a 400 that says what was expected, never an exception of its own.
"""

import re
from typing import Any

from flask import request

from photoshare_shared.photo import Visibility
from photoshare_web.errors import HttpError

# ASCII digits only: str.isdigit() passes "²" (which int() refuses) and other scripts' digits.
# Nine of them bound the work, and stay under int()'s limit on digits.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def query_int(name: str, *, default: int, low: int, high: int) -> int:
    """The query argument `name` as a whole number from `low` to `high`; `default` when absent."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or not low <= int(raw) <= high:
        raise HttpError(400, f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def json_object(expected: str) -> dict[str, Any]:
    """The body as a JSON object, or a 400 "Send JSON: <expected>."."""
    try:
        # silent= covers malformed JSON (ValueError); nesting deeper than the parser can
        # recurse raises RecursionError instead.
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
    if not isinstance(body, dict):
        raise HttpError(400, f"Send JSON: {expected}.")
    return body


def bool_field(body: dict[str, Any], name: str) -> bool | None:
    """A true/false field of a JSON body; None when absent."""
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise HttpError(400, f"{name} must be true or false.")
    return value


def visibility_field(body: dict[str, Any], name: str) -> Visibility | None:
    """A "private"/"public" field of a JSON body; None when absent."""
    value = body.get(name)
    return None if value is None else chosen_visibility(value, f"{name} must be 'private' or 'public'.")


def chosen_visibility(value: object, refusal: str) -> Visibility:
    """`value` ("private" or "public") as a Visibility, or a 400 saying `refusal`."""
    if value not in ("private", "public"):
        raise HttpError(400, refusal)
    return Visibility(value)
