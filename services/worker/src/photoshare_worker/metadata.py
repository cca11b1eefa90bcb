"""Turn an original's EXIF into the small, validated metadata dict stored with the photo."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from PIL import ExifTags, Image

_MAX_TEXT = 128

# Tag numbers (ExifTags.Base) used below.
_MAKE, _MODEL, _DATETIME = 0x010F, 0x0110, 0x0132
_EXPOSURE_TIME, _F_NUMBER, _ISO, _ISO_SPEED = 0x829A, 0x829D, 0x8827, 0x8833
_DATETIME_ORIGINAL, _DATETIME_DIGITIZED = 0x9003, 0x9004
_OFFSET_TIME, _OFFSET_TIME_ORIGINAL, _OFFSET_TIME_DIGITIZED = 0x9010, 0x9011, 0x9012
_FOCAL_LENGTH, _LENS_MODEL = 0x920A, 0xA434
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
_IFD0_TAGS = {_MAKE, _MODEL, _DATETIME}  # the rest live in the Exif IFD

# Plausibility bounds: anything outside is a broken or hostile tag, not a photo setting.
_MAX_EXPOSURE_S = Decimal(86_400)
_MAX_F_NUMBER = Decimal(1_000)
_MAX_FOCAL_MM = Decimal(100_000)
_MAX_ISO = 10_000_000
# 65535 is the "saturated" value cameras write when the real ISO does not fit in 16 bits.
_ISO_SATURATED = 65_535

_DATE_RE = re.compile(r"(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET_RE = re.compile(r"([+-])(\d{2}):(\d{2})")
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co"}  # controls, bidi/format chars, surrogates, private use


def extract_metadata(exif: Image.Exif) -> dict[str, Any]:
    """The present-and-valid subset of make/model/lens/taken_at/exposure/f_number/focal_length/iso/gps."""
    ifd0: Mapping[int, Any] = _safe(lambda: dict(exif.items())) or {}
    exif_ifd: Mapping[int, Any] = _safe(lambda: dict(exif.get_ifd(ExifTags.IFD.Exif))) or {}
    gps_ifd: Mapping[int, Any] = _safe(lambda: dict(exif.get_ifd(ExifTags.IFD.GPSInfo))) or {}

    def tag(tag_id: int) -> Any:
        # Writers misplace tags between IFD0 and the Exif IFD: look in the tag's home first.
        home, other = (ifd0, exif_ifd) if tag_id in _IFD0_TAGS else (exif_ifd, ifd0)
        value = home.get(tag_id)
        return other.get(tag_id) if value is None else value

    fields: dict[str, Callable[[], Any]] = {
        "make": lambda: _text(tag(_MAKE)),
        "model": lambda: _text(tag(_MODEL)),
        "lens": lambda: _text(tag(_LENS_MODEL)),
        "taken_at": lambda: _taken_at(tag),
        "exposure_time": lambda: _measure(tag(_EXPOSURE_TIME), _MAX_EXPOSURE_S, _significant6),
        "f_number": lambda: _measure(tag(_F_NUMBER), _MAX_F_NUMBER, _hundredths),
        "focal_length": lambda: _measure(tag(_FOCAL_LENGTH), _MAX_FOCAL_MM, _hundredths),
        "iso": lambda: _iso(tag(_ISO), tag(_ISO_SPEED)),
        "gps": lambda: _gps(gps_ifd),
    }
    result: dict[str, Any] = {}
    for key, read in fields.items():
        value = _safe(read)  # one bad tag costs that field only, never the photo
        if value is not None:
            result[key] = value
    return result


def _safe(read: Callable[[], Any]) -> Any:
    """read(), or None if it raises on malformed data."""
    try:
        return read()
    except Exception:
        return None


def _text(value: Any) -> str | None:
    """A clean one-line string of at most 128 characters, or None."""
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    elif isinstance(value, str):
        text = value
        # Pillow decodes EXIF ASCII as Latin-1, but many writers store UTF-8: undo the mojibake.
        try:
            text = text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            pass
    else:
        return None
    text = text.split("\x00", 1)[0]  # EXIF strings are NUL-terminated; what follows is padding or junk
    kept = []
    for ch in text:
        if ch.isspace():
            kept.append(" ")  # tabs/newlines become spaces (collapsed below)
        elif unicodedata.category(ch) not in _DROP_CATEGORIES:
            kept.append(ch)
    text = " ".join("".join(kept).split())[:_MAX_TEXT].strip()
    return text or None


def _number(value: Any) -> Decimal | None:
    """A finite Decimal from an EXIF rational/int/float (or a 1-tuple of one), else None."""
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(value) if math.isfinite(value) else None
    # IFDRational/Fraction: divide the raw terms, so 1/0 is rejected rather than read as nan.
    terms = getattr(value, "numerator", None), getattr(value, "denominator", None)
    if any(isinstance(t, (tuple, bool)) or not isinstance(t, (int, float)) for t in terms):
        return None
    numerator, denominator = (_number(t) for t in terms)
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _measure(value: Any, maximum: Decimal, rounding: Callable[[Decimal], Decimal]) -> Decimal | None:
    """A positive number no larger than `maximum`, rounded; None if absent or implausible."""
    number = _number(value)
    if number is None or not 0 < number <= maximum:
        return None
    rounded = _tidy(rounding(number))
    return rounded if rounded > 0 else None


def _significant6(value: Decimal) -> Decimal:
    """value rounded to 6 significant digits."""
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 6, ROUND_HALF_EVEN
        return +value


def _hundredths(value: Decimal) -> Decimal:
    """value rounded to 2 decimals."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form (50.00 -> 50, 5.60 -> 5.6)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value  # type: ignore[operator]


def _iso(value: Any, fallback: Any) -> int | None:
    """ISO sensitivity as an int; ISOSpeed stands in when the 16-bit tag is missing or saturated."""
    if isinstance(value, tuple) and value:
        value = value[0]  # ISOSpeedRatings may repeat the value
    iso = _number(value)
    if iso is None or iso == _ISO_SATURATED:
        iso = _number(fallback) or iso
    if iso is None or iso != iso.to_integral_value() or not 0 < iso <= _MAX_ISO:
        return None
    return int(iso)


def _taken_at(tag: Callable[[int], Any]) -> str | None:
    """ISO 8601 local time of capture (with its UTC offset when recorded), preferring the original."""
    for date_tag, offset_tag in (
        (_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL),
        (_DATETIME_DIGITIZED, _OFFSET_TIME_DIGITIZED),
        (_DATETIME, _OFFSET_TIME),
    ):
        when = _datetime(_text(tag(date_tag)))
        if when is not None:
            # Each offset tag belongs to its own date tag; mixing them would shift the time.
            return when + (_offset(_text(tag(offset_tag))) or "")
    return None


def _datetime(text: str | None) -> str | None:
    """ "YYYY:MM:DD HH:MM:SS" (or with -, / and T) -> "YYYY-MM-DDTHH:MM:SS" if it is a real time."""
    match = _DATE_RE.match(text or "")
    if match is None:
        return None
    try:
        when = datetime(*(int(part) for part in match.groups()))
    except ValueError:  # 0000:00:00 00:00:00, month 13, Feb 30...
        return None
    return when.isoformat() if when.year >= 1800 else None


def _offset(text: str | None) -> str | None:
    """ "+02:00" if it is a real UTC offset, else None."""
    match = _OFFSET_RE.fullmatch(text or "")
    if match is None or int(match[2]) > 14 or int(match[3]) >= 60:
        return None
    return match[0]


def _gps(gps: Mapping[int, Any]) -> dict[str, Decimal] | None:
    """{"lat", "lon"} in signed decimal degrees, or None unless both are present and in range."""
    lat = _coordinate(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), "N", "S", 90)
    lon = _coordinate(gps.get(_GPS_LON), gps.get(_GPS_LON_REF), "E", "W", 180)
    if lat is None or lon is None:
        return None
    return {"lat": lat, "lon": lon}


def _coordinate(value: Any, ref: Any, positive: str, negative: str, limit: int) -> Decimal | None:
    """Degrees/minutes/seconds (or plain degrees) plus a hemisphere letter -> signed degrees."""
    parts = value if isinstance(value, tuple) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    numbers = [_number(part) for part in parts]
    if any(n is None or n < 0 for n in numbers):
        return None
    if any(n > 60 for n in numbers[1:]):  # minutes and seconds
        return None
    degrees = sum(n / 60**i for i, n in enumerate(numbers))  # type: ignore[operator]
    hemisphere = _text(ref)
    if hemisphere is None:
        sign = 1  # no reference recorded: tools conventionally read the value as N/E
    elif hemisphere.upper() in (positive, negative):
        sign = -1 if hemisphere.upper() == negative else 1
    else:
        return None
    if degrees > limit:
        return None
    if degrees == 0:
        sign = 1  # no "-0" for the equator or the prime meridian
    return _tidy((sign * degrees).quantize(Decimal("0.000001")))
