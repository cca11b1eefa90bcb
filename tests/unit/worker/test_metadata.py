"""extract_metadata: real EXIF round-trips, fallbacks and hostile values."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from photoshare_worker.imaging import render_photo
from photoshare_worker.metadata import extract_metadata

B, GPS, IFD = ExifTags.Base, ExifTags.GPS, ExifTags.IFD


def dms(degrees: int, minutes: int, seconds_x100: int) -> tuple[IFDRational, ...]:
    """Degrees/minutes/seconds as EXIF rationals."""
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds_x100, 100)


def camera_exif(north_east: bool = True) -> Image.Exif:
    """What a camera with a GPS fix writes."""
    exif = Image.Exif()
    exif[B.Make] = "Canon"
    exif[B.Model] = "Canon EOS R5"
    exif[B.DateTime] = "2024:07:01 09:00:00"
    exif[IFD.Exif] = {
        B.LensModel: "RF24-70mm F2.8 L IS USM",
        B.DateTimeOriginal: "2024:06:15 14:30:05",
        B.OffsetTimeOriginal: "+02:00",
        B.ExposureTime: IFDRational(1, 250),
        B.FNumber: IFDRational(56, 10),
        B.ISOSpeedRatings: 400,
        B.FocalLength: IFDRational(50, 1),
    }
    exif[IFD.GPSInfo] = {
        GPS.GPSLatitudeRef: "N" if north_east else "S",
        GPS.GPSLatitude: dms(48, 51, 2442),
        GPS.GPSLongitudeRef: "E" if north_east else "W",
        GPS.GPSLongitude: dms(2, 21, 1566),
    }
    return exif


def jpeg_exif(exif: Image.Exif) -> Image.Exif:
    """exif written into a JPEG and read back, as the worker sees it."""
    buf = BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(buf, "JPEG", exif=exif)
    return Image.open(BytesIO(buf.getvalue())).getexif()


def test_camera_exif_round_trips_through_a_jpeg() -> None:
    assert extract_metadata(jpeg_exif(camera_exif())) == {
        "make": "Canon",
        "model": "Canon EOS R5",
        "lens": "RF24-70mm F2.8 L IS USM",
        "taken_at": "2024-06-15T14:30:05+02:00",
        "exposure_time": Decimal("0.004"),
        "f_number": Decimal("5.6"),
        "focal_length": Decimal("50"),
        "iso": 400,
        "gps": {"lat": Decimal("48.856783"), "lon": Decimal("2.35435")},
    }


def test_southern_western_hemispheres_are_negative() -> None:
    gps = extract_metadata(jpeg_exif(camera_exif(north_east=False)))["gps"]
    assert gps == {"lat": Decimal("-48.856783"), "lon": Decimal("-2.35435")}


def test_render_photo_exif_feeds_extract_metadata() -> None:
    buf = BytesIO()
    Image.new("RGB", (640, 480)).save(buf, "JPEG", exif=camera_exif())
    metadata = extract_metadata(render_photo(buf.getvalue()).exif)
    assert metadata["make"] == "Canon" and metadata["iso"] == 400 and "gps" in metadata


def test_numbers_are_decimals_never_floats() -> None:
    def walk(value: Any) -> None:
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(extract_metadata(jpeg_exif(camera_exif())))


def test_no_exif_gives_an_empty_dict() -> None:
    assert extract_metadata(Image.Exif()) == {}
    buf = BytesIO()
    Image.new("RGB", (32, 32)).save(buf, "PNG")
    assert extract_metadata(render_photo(buf.getvalue()).exif) == {}


def test_taken_at_falls_back_to_digitized_then_datetime_with_matching_offsets() -> None:
    exif = Image.Exif()
    exif[B.DateTime] = "2020:01:02 03:04:05"
    exif[B.OffsetTime] = "-05:00"
    exif[IFD.Exif] = {B.DateTimeDigitized: "2021:02:03 04:05:06", B.OffsetTimeOriginal: "+09:00"}
    # The original's offset belongs to DateTimeOriginal (absent), not to DateTimeDigitized.
    assert extract_metadata(jpeg_exif(exif))["taken_at"] == "2021-02-03T04:05:06"

    exif = Image.Exif()
    exif[B.DateTime] = "2020:01:02 03:04:05"
    exif[B.OffsetTime] = "-05:00"
    assert extract_metadata(jpeg_exif(exif))["taken_at"] == "2020-01-02T03:04:05-05:00"


def test_rounding() -> None:
    exif = Image.Exif()
    exif[IFD.Exif] = {
        B.ExposureTime: IFDRational(1, 3),
        B.FNumber: IFDRational(7071, 5000),  # 1.4142
        B.FocalLength: IFDRational(4250, 1000),
        B.ISOSpeedRatings: (100, 100),
    }
    metadata = extract_metadata(jpeg_exif(exif))
    assert metadata["exposure_time"] == Decimal("0.333333")
    assert metadata["f_number"] == Decimal("1.41")
    assert metadata["focal_length"] == Decimal("4.25")
    assert metadata["iso"] == 100
    assert str(metadata["focal_length"]) == "4.25" and "E" not in str(Decimal(metadata["exposure_time"]))


def live_exif() -> Image.Exif:
    """A loaded Exif whose IFD0, Exif and GPS dicts can be edited in place to hold anything."""
    exif = Image.Exif()
    exif.load(camera_exif().tobytes())
    exif.get_ifd(IFD.Exif)  # loads and caches the sub-IFDs, so edits to them stick
    exif.get_ifd(IFD.GPSInfo)
    return exif


Edit = Callable[[Image.Exif], None]


def set0(tag: int, value: Any) -> Edit:
    """Set an IFD0 tag."""
    return lambda exif: exif.__setitem__(tag, value)


def setx(tag: int, value: Any) -> Edit:
    """Set an Exif-IFD tag."""
    return lambda exif: exif.get_ifd(IFD.Exif).__setitem__(tag, value)


def setg(tag: int, value: Any) -> Edit:
    """Set a GPS-IFD tag."""
    return lambda exif: exif.get_ifd(IFD.GPSInfo).__setitem__(tag, value)


def delg(tag: int) -> Edit:
    """Remove a GPS-IFD tag."""
    return lambda exif: exif.get_ifd(IFD.GPSInfo).pop(tag, None)


HOSTILE: list[tuple[str, Edit, str, Any]] = [
    # (id, edit, key, expected value or None when the key must be absent)
    ("zero-denominator", setx(B.ExposureTime, IFDRational(1, 0)), "exposure_time", None),
    ("zero-over-zero", setx(B.FNumber, IFDRational(0, 0)), "f_number", None),
    ("zero-f-number", setx(B.FNumber, IFDRational(0, 10)), "f_number", None),
    ("nan", setx(B.FNumber, float("nan")), "f_number", None),
    ("inf", setx(B.FocalLength, float("inf")), "focal_length", None),
    ("negative", setx(B.ExposureTime, IFDRational(-1, 250)), "exposure_time", None),
    ("huge", setx(B.FocalLength, IFDRational(10**30, 1)), "focal_length", None),
    ("tiny", setx(B.FNumber, IFDRational(1, 10**9)), "f_number", None),
    ("float-ok", setx(B.FNumber, 2.8), "f_number", Decimal("2.8")),
    ("string-number", setx(B.FNumber, "5.6"), "f_number", None),
    ("bytes-number", setx(B.ExposureTime, b"\x01\x02"), "exposure_time", None),
    ("tuple-number", setx(B.FocalLength, (IFDRational(1, 1), IFDRational(2, 1))), "focal_length", None),
    ("bool-number", setx(B.FNumber, True), "f_number", None),
    ("iso-string", setx(B.ISOSpeedRatings, "400"), "iso", None),
    ("iso-zero", setx(B.ISOSpeedRatings, 0), "iso", None),
    ("iso-fraction", setx(B.ISOSpeedRatings, IFDRational(401, 2)), "iso", None),
    ("iso-empty-tuple", setx(B.ISOSpeedRatings, ()), "iso", None),
    ("iso-saturated", lambda e: (setx(B.ISOSpeedRatings, 65535)(e), setx(0x8833, 102400)(e)), "iso", 102400),
    ("bytes-0xff", set0(B.Make, b"Can\xffon\x00junk"), "make", "Can\ufffdon"),
    ("latin1-str", set0(B.Make, "Caf\xe9"), "make", "Caf\xe9"),
    ("utf8-mojibake", set0(B.Make, "Caf\xc3\xa9"), "make", "Caf\xe9"),
    ("script", set0(B.Model, "<script>alert(1)</script>"), "model", "<script>alert(1)</script>"),
    ("10k-string", setx(B.LensModel, "L" * 10_000), "lens", "L" * 128),
    ("only-nuls", set0(B.Make, "\x00\x00\x00"), "make", None),
    ("controls", set0(B.Model, "\x01\x1b[31m Nikon\tZ 8 \u202e\r\n"), "model", "[31m Nikon Z 8"),
    ("whitespace", set0(B.Make, "   "), "make", None),
    ("int-string", set0(B.Make, 12345), "make", None),
    ("tuple-string", setx(B.LensModel, ("a", "b")), "lens", None),
    ("surrogate", set0(B.Make, "Sony\ud800"), "make", "Sony"),
    ("zero-date", setx(B.DateTimeOriginal, "0000:00:00 00:00:00"), "taken_at", "2024-07-01T09:00:00"),
    ("blank-date", setx(B.DateTimeOriginal, "    :  :     :  :  "), "taken_at", "2024-07-01T09:00:00"),
    ("month-13", setx(B.DateTimeOriginal, "2024:13:01 00:00:00"), "taken_at", "2024-07-01T09:00:00"),
    ("date-bytes", setx(B.DateTimeOriginal, b"\xff\xfe"), "taken_at", "2024-07-01T09:00:00"),
    ("bad-offset", setx(B.OffsetTimeOriginal, "+99:00"), "taken_at", "2024-06-15T14:30:05"),
    ("offset-junk", setx(B.OffsetTimeOriginal, "+02:00<b>"), "taken_at", "2024-06-15T14:30:05"),
    ("lat-123", setg(GPS.GPSLatitude, (IFDRational(123, 1),)), "gps", None),
    ("lon-181", setg(GPS.GPSLongitude, dms(181, 0, 0)), "gps", None),
    ("minutes-75", setg(GPS.GPSLatitude, dms(10, 75, 0)), "gps", None),
    (
        "gps-zero-denominator",
        setg(GPS.GPSLatitude, (IFDRational(1, 0), IFDRational(0, 1), IFDRational(0, 1))),
        "gps",
        None,
    ),
    ("gps-bytes", setg(GPS.GPSLatitude, b"\xff" * 24), "gps", None),
    ("gps-bad-ref", setg(GPS.GPSLatitudeRef, "X"), "gps", None),
    ("gps-only-lat", delg(GPS.GPSLongitude), "gps", None),
    ("gps-four-parts", setg(GPS.GPSLatitude, dms(1, 2, 3) + (IFDRational(4, 1),)), "gps", None),
    ("gps-decimal-degrees", setg(GPS.GPSLatitude, IFDRational(-1, 1)), "gps", None),
    (
        "gps-bytes-ref",
        setg(GPS.GPSLongitudeRef, b"W\x00"),
        "gps",
        {"lat": Decimal("48.856783"), "lon": Decimal("-2.35435")},
    ),
]


@pytest.mark.parametrize(("edit", "key", "expected"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_values_never_raise(edit: Edit, key: str, expected: Any) -> None:
    exif = live_exif()
    edit(exif)
    metadata = extract_metadata(exif)
    if expected is None:
        assert key not in metadata
    else:
        assert metadata[key] == expected
    # One bad tag costs only its own field.
    assert metadata.get("iso") is not None or key == "iso"
    assert len(metadata) >= 7


def test_a_broken_exif_object_still_yields_what_it_can() -> None:
    exif = Image.Exif()
    exif[B.Make] = "Canon"
    exif[IFD.Exif] = 12345  # an IFD pointer with no data behind it: get_ifd raises inside Pillow
    assert extract_metadata(exif) == {"make": "Canon"}


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_garbage_exif_block_reads_as_empty() -> None:
    buf = BytesIO()
    Image.new("RGB", (64, 48)).save(buf, "JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + b"\x00" * 40)
    photo = render_photo(buf.getvalue())
    assert extract_metadata(photo.exif) == {}


def test_misplaced_tags_are_still_found() -> None:
    exif = Image.Exif()
    exif[B.DateTimeOriginal] = "2019:05:06 07:08:09"  # belongs in the Exif IFD
    exif[B.FNumber] = IFDRational(4, 1)
    exif[IFD.Exif] = {B.Make: "Fujifilm"}  # belongs in IFD0
    assert extract_metadata(jpeg_exif(exif)) == {
        "make": "Fujifilm",
        "taken_at": "2019-05-06T07:08:09",
        "f_number": Decimal("4"),
    }


def test_equator_and_prime_meridian_are_plain_zero() -> None:
    exif = Image.Exif()
    exif[IFD.GPSInfo] = {1: "S", 2: dms(0, 0, 0), 3: "W", 4: dms(0, 0, 0)}
    gps = extract_metadata(jpeg_exif(exif))["gps"]
    assert gps == {"lat": 0, "lon": 0} and str(gps["lat"]) == "0" and str(gps["lon"]) == "0"
