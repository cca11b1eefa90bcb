"""Jinja filters that show metadata in photographers' units."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Flask

from photoshare_shared import display


def _lenient(format_number: Callable[[Decimal], str]) -> Callable[[Any], str]:
    """A page shows an odd value as it is rather than fail on it."""

    def render(value: Any) -> str:
        try:
            return format_number(Decimal(str(value)))
        except (ArithmeticError, TypeError, ValueError):
            return str(value)

    return render


def register(app: Flask) -> None:
    """Install the filters on the app's Jinja environment."""
    app.jinja_env.filters.update(
        exposure=_lenient(display.format_exposure),
        f_number=_lenient(display.format_f_number),
        focal_length=_lenient(display.format_focal_length),
        filesize=lambda size: display.format_bytes(int(size)),
    )
