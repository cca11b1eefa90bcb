"""Human-readable formatting of photo metadata, shared by the worker and the web."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Number = Decimal | int | float


def _decimal(value: Number, what: str) -> Decimal:
    """A finite, positive Decimal, or ValueError naming the field."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        raise TypeError(f"{what} must be a number, not {type(value).__name__}")
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if not d.is_finite() or d <= 0:
        raise ValueError(f"{what} must be a positive finite number, got {value!r}")
    return d


def _plain(d: Decimal, places: int) -> str:
    """d rounded to `places` decimals, trailing zeros dropped, never in exponent form."""
    text = f"{d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_exposure(seconds: Decimal) -> str:
    """Exposure time as photographers write it: "1/250 s", "0.6 s", "2 s", "2.5 s"."""
    d = _decimal(seconds, "exposure time")
    if d < 1:
        reciprocal = 1 / d
        n = int(reciprocal.to_integral_value(rounding=ROUND_HALF_UP))
        # Short exposures are 1/n by convention; a long one that is not close to 1/n
        # (0.6 s, 0.8 s are real camera steps) would be misleading as "1/2 s".
        if d <= Decimal("0.25") or abs(reciprocal - n) <= reciprocal * Decimal("0.05"):
            return f"1/{n} s"
        return f"{_plain(d, 1)} s"
    return f"{_plain(d, 1)} s"


def format_f_number(f_number: Decimal) -> str:
    """Aperture as "f/5.6", "f/2", "f/0.95"."""
    return f"f/{_plain(_decimal(f_number, 'f-number'), 2)}"


def format_focal_length(mm: Decimal) -> str:
    """Focal length as "50 mm" or "5.7 mm"."""
    return f"{_plain(_decimal(mm, 'focal length'), 1)} mm"


_BYTE_UNITS = ("kB", "MB", "GB", "TB", "PB", "EB")


def format_bytes(size: int) -> str:
    """A byte count in SI units, as file managers show it: "512 B", "3.4 MB", "120 MB"."""
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"size must be an int, not {type(size).__name__}")
    if size < 0:
        raise ValueError(f"size must not be negative, got {size}")
    if size < 1000:
        return f"{size} B"
    value = Decimal(size)
    for unit in _BYTE_UNITS:
        value /= 1000
        # One decimal below 100 ("3.4 MB", "34.5 MB"), whole numbers above ("345 MB").
        places = 1 if value < 100 else 0
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if rounded < 1000 or unit == _BYTE_UNITS[-1]:
            # 999_960 bytes rounds to "1000 kB"; the loop moves on to "1 MB" instead.
            return f"{_plain(rounded, places)} {unit}"
    raise AssertionError("unreachable")
