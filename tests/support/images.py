"""Photos made by the tests themselves: camera-like JPEGs with EXIF, and other formats."""

import itertools
import os
import random
import struct
import zlib
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from PIL import ExifTags, Image, ImageDraw

_SERIAL = itertools.count()


def distinct(data: bytes) -> bytes:
    """The same picture as different bytes (16 random ones after its end, which decoders ignore):
    a new photo each time, where the same bytes again would be named a duplicate."""
    return data + os.urandom(16)


def photo_bytes(
    width: int = 640,
    height: int = 480,
    *,
    format: str = "JPEG",
    orientation: int | None = None,
    exif: dict[int, object] | None = None,
    gps: dict[int, object] | None = None,
) -> bytes:
    """An image with a red block in its top-left corner (to check orientation) and gradients."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, max(1, width // 64)):
        draw.line(
            [(x, 0), (x, height)], fill=(x * 255 // width, 120, 255 - x * 255 // width), width=max(1, width // 64)
        )
    draw.rectangle([0, 0, width // 4, height // 4], fill=(255, 0, 0))
    tags = Image.Exif()
    if orientation:
        tags[ExifTags.Base.Orientation] = orientation
    for tag, value in (exif or {}).items():
        tags[tag] = value
    if gps:
        tags.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    out = BytesIO()
    if format == "JPEG":
        # A comment unique to this call: each call is a different photo (the same bytes twice
        # would be a duplicate of the first), whatever size and content it was asked for.
        image.save(out, "JPEG", quality=90, exif=tags.tobytes(), comment=f"photo {next(_SERIAL)}".encode())
    else:
        image.save(out, format)
    return out.getvalue()


def seeded_jpeg(width: int = 800, height: int = 600, *, marker: bytes | None = None, seed: int = 0) -> bytes:
    """A JPEG of random rectangles, different for each `seed`; `marker` goes in a JPEG comment
    (the fault markers of tests/support/faults.py)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(width // 2 + 1), y0 + rng.randrange(height // 2 + 1)
        draw.rectangle([x0, y0, x1, y1], fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = BytesIO()
    options: dict[str, Any] = {"quality": 85}
    if marker:
        options["comment"] = marker
    image.save(out, "JPEG", **options)
    return out.getvalue()


CAMERA_EXIF = {ExifTags.Base.Make: "Canon", ExifTags.Base.Model: "Canon EOS R6"}
GPS_NORTH_EAST = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (48.0, 51.0, 29.4),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (2.0, 17.0, 40.2),
}


def png_file(
    width: int,
    height: int,
    depth: int,
    colour_type: int,
    samples: Sequence[Sequence[int]],
    *,
    trns: Sequence[int] = (),
    icc: bytes | None = None,
) -> bytes:
    """A PNG written byte by byte, for what Pillow cannot save (16-bit colour, 2-bit grey, ...).

    `samples` holds one row of channel samples per line (at `depth` bits each); `trns` is a
    colour key in the same units (one value for grey, three for truecolour).
    """
    rows = b""
    for row in samples:
        if depth >= 8:
            packed = b"".join(v.to_bytes(depth // 8, "big") for v in row)
        else:
            bits = "".join(format(v, f"0{depth}b") for v in row)
            bits += "0" * (-len(bits) % 8)
            packed = int(bits, 2).to_bytes(len(bits) // 8, "big")
        rows += b"\x00" + packed  # filter type 0: none
    chunks = [_png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0))]
    if icc is not None:
        chunks.append(_png_chunk(b"iCCP", b"profile\x00\x00" + zlib.compress(icc)))
    if trns:
        chunks.append(_png_chunk(b"tRNS", b"".join(v.to_bytes(2, "big") for v in trns)))
    chunks += [_png_chunk(b"IDAT", zlib.compress(rows)), _png_chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def with_major_brand(data: bytes, brand: bytes) -> bytes:
    """A HEIF-family file (HEIC, AVIF) whose ftyp box names `brand` first, its compatible brands kept."""
    assert data[4:8] == b"ftyp" and len(brand) == 4
    return data[:8] + brand + data[12:]


def without_compatible_brand(data: bytes, brand: bytes) -> bytes:
    """The file with `brand` in its ftyp box's compatible list replaced by the generic miaf."""
    size = int.from_bytes(data[:4], "big")
    compatible = data[16:size]
    index = next(i for i in range(0, len(compatible), 4) if compatible[i : i + 4] == brand)
    return data[: 16 + index] + b"miaf" + data[16 + index + 4 :]
