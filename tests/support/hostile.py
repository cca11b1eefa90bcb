"""A corpus of hostile, broken and unusual files, made here with Pillow and raw bytes.

Each case says what the service must answer at upload and, when accepted, how the job ends.
"""

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from PIL import ExifTags, Image, TiffImagePlugin

from photoshare_shared.imageformats import enable_phone_formats
from tests.support.images import with_major_brand, without_compatible_brand


@dataclass(frozen=True)
class Case:
    """One file and what must happen to it."""

    name: str
    category: str
    make: Callable[[], bytes]
    upload_status: int
    final_status: str | None = None  # READY or FAILED when accepted
    error_contains: str = ""


def _image(size=(64, 48), mode="RGB", colour=(200, 30, 30)) -> Image.Image:
    image = Image.new(mode, size, colour if mode in ("RGB", "RGBA") else 128)
    if mode in ("RGB", "RGBA"):
        image.paste((20, 60, 220) + ((255,) if mode == "RGBA" else ()), (0, 0, size[0] // 2, size[1] // 2))
    return image


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    enable_phone_formats()
    out = BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _jpeg(**options) -> bytes:
    return _save(_image((320, 240)), "JPEG", quality=90, **options)


def _exif_jpeg(tags: dict, gps: dict | None = None) -> bytes:
    exif = Image.Exif()
    exif_ifd = {}
    for tag, value in tags.items():
        (exif_ifd if tag > 0x8000 else exif)[tag] = value
    if exif_ifd:
        exif.get_ifd(ExifTags.IFD.Exif).update(exif_ifd)
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    return _save(_image((320, 240)), "JPEG", exif=exif.tobytes())


def _animated(fmt: str, frames: int, size=(32, 32)) -> bytes:
    images = [Image.new("RGB", size, (i % 256, (i * 7) % 256, 90)) for i in range(frames)]
    return _save(images[0], fmt, save_all=True, append_images=images[1:], duration=10, loop=0)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width×height pixels (zeros compress to almost nothing)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = zlib.compress(row * min(height, 64), 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _corrupt_png_crc() -> bytes:
    data = bytearray(_save(_image(), "PNG"))
    data[data.index(b"IDAT") + 8] ^= 0xFF  # flip a byte inside IDAT: its CRC no longer matches
    return bytes(data)


def _cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _ratio(rational: tuple[int, int]) -> TiffImagePlugin.IFDRational:
    return TiffImagePlugin.IFDRational(*rational)


T = ExifTags.Base
G = ExifTags.GPS
NOT_IMAGE = "is not a JPEG, PNG, GIF, WebP, HEIC or AVIF image"

CORPUS: list[Case] = [
    # Accepted formats and unusual but valid images.
    Case("jpeg", "valid", lambda: _jpeg(), 202, "READY"),
    Case("jpeg-progressive", "valid", lambda: _jpeg(progressive=True), 202, "READY"),
    Case("jpeg-cmyk", "valid", lambda: _save(_image((64, 48), "CMYK"), "JPEG"), 202, "READY"),
    Case("jpeg-greyscale", "valid", lambda: _save(_image(mode="L"), "JPEG"), 202, "READY"),
    Case("png", "valid", lambda: _save(_image(), "PNG"), 202, "READY"),
    Case("png-alpha", "valid", lambda: _save(_image(mode="RGBA"), "PNG"), 202, "READY"),
    Case("png-16bit", "valid", lambda: _save(Image.new("I;16", (40, 30), 40000), "PNG"), 202, "READY"),
    Case("png-palette-transparent", "valid", lambda: _save(_image().convert("P"), "PNG", transparency=0), 202, "READY"),
    Case("gif", "valid", lambda: _save(_image().convert("P"), "GIF"), 202, "READY"),
    Case("webp", "valid", lambda: _save(_image(), "WEBP"), 202, "READY"),
    Case("webp-lossless", "valid", lambda: _save(_image(), "WEBP", lossless=True), 202, "READY"),
    Case("heic", "valid", lambda: _save(_image((128, 96)), "HEIF", quality=80), 202, "READY"),
    Case("avif", "valid", lambda: _save(_image((128, 96)), "AVIF", quality=80), 202, "READY"),
    Case("png-1bit-colour-key", "valid", lambda: _save(_image(mode="1"), "PNG", transparency=0), 202, "READY"),
    Case(
        "png-16bit-grey-colour-key",
        "valid",
        lambda: _save(Image.new("I;16", (40, 30), 40000), "PNG", transparency=0),
        202,
        "READY",
    ),
    Case(
        "avif-branded-mif1", "valid", lambda: with_major_brand(_save(_image((128, 96)), "AVIF"), b"mif1"), 202, "READY"
    ),
    Case(
        "heic-branded-mif1", "valid", lambda: with_major_brand(_save(_image((128, 96)), "HEIF"), b"mif1"), 202, "READY"
    ),
    Case("one-pixel", "valid", lambda: _save(Image.new("RGB", (1, 1)), "PNG"), 202, "READY"),
    Case("aspect-1x100000", "extreme", lambda: _save(Image.new("L", (1, 100_000), 90), "PNG"), 202, "READY"),
    Case("aspect-100000x1", "extreme", lambda: _save(Image.new("L", (100_000, 1), 90), "PNG"), 202, "READY"),
    Case("gif-3000-frames", "animated", lambda: _animated("GIF", 3000), 202, "READY"),
    Case("webp-2000-frames", "animated", lambda: _animated("WEBP", 2000), 202, "READY"),
    # Polyglots: valid images with a payload; accepted, only ever served re-encoded or as attachments.
    Case("polyglot-jpeg-html", "polyglot", lambda: _jpeg() + b"<html><script>alert(1)</script></html>", 202, "READY"),
    Case("polyglot-png-js", "polyglot", lambda: _save(_image(), "PNG") + b"<script>fetch('/x')</script>", 202, "READY"),
    Case(
        "polyglot-gif-html",
        "polyglot",
        lambda: _save(_image().convert("P"), "GIF") + b"<svg onload=alert(1)>",
        202,
        "READY",
    ),
    # Hostile EXIF: cleaned and bounded, the photo still READY.
    Case(
        "exif-zero-denominators",
        "exif",
        lambda: _exif_jpeg({T.ExposureTime: _ratio((1, 0)), T.FNumber: _ratio((0, 0)), T.FocalLength: _ratio((5, 0))}),
        202,
        "READY",
    ),
    Case(
        "exif-nan-inf",
        "exif",
        lambda: _exif_jpeg({T.ExposureTime: float("nan"), T.FNumber: float("inf"), T.ISOSpeedRatings: -5}),
        202,
        "READY",
    ),
    Case(
        "exif-huge-usercomment",
        "exif",
        lambda: _exif_jpeg({T.UserComment: b"ASCII\x00\x00\x00" + b"A" * 60_000, T.Make: "M" * 5000}),
        202,
        "READY",
    ),
    Case("exif-huge-makernote", "exif", lambda: _exif_jpeg({T.MakerNote: bytes(range(256)) * 200}), 202, "READY"),
    Case(
        "exif-non-utf8",
        "exif",
        lambda: _exif_jpeg(
            {T.Make: "\udcff\udcfe".encode("utf-8", "surrogateescape").decode("latin-1"), T.Model: "Caf\xe9 \x00\x01"}
        ),
        202,
        "READY",
    ),
    Case(
        "exif-script-tags",
        "exif",
        lambda: _exif_jpeg({T.Make: "<script>alert(1)</script>", T.Model: '"><img src=x onerror=alert(1)>'}),
        202,
        "READY",
    ),
    Case(
        "exif-absurd-gps",
        "exif",
        lambda: _exif_jpeg(
            {},
            {
                G.GPSLatitudeRef: "N",
                G.GPSLatitude: (123.0, 0.0, 0.0),
                G.GPSLongitudeRef: "Q",
                G.GPSLongitude: (999.0, 61.0, 61.0),
            },
        ),
        202,
        "READY",
    ),
    Case("exif-bad-orientation", "exif", lambda: _exif_jpeg({T.Orientation: 99}), 202, "READY"),
    Case(
        "exif-garbage-block",
        "exif",
        lambda: _jpeg()[:2] + b"\xff\xe1\x00\x20Exif\x00\x00" + b"\xde\xad\xbe\xef" * 6 + _jpeg()[2:],
        202,
        "READY",
    ),
    # Refused by content at upload (415), whatever the name says.
    Case(
        "svg",
        "not-accepted",
        lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        415,
    ),
    Case("html", "not-accepted", lambda: b"<!doctype html><html><body onload=alert(1)></body></html>", 415),
    Case("pdf", "not-accepted", lambda: _save(_image(), "PDF"), 415),
    Case("tiff", "not-accepted", lambda: _save(_image(), "TIFF"), 415),
    Case("eps", "not-accepted", lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n", 415),
    Case(
        "psd",
        "not-accepted",
        lambda: (
            b"8BPS\x00\x01" + b"\x00" * 6 + b"\x00\x03\x00\x00\x00\x10\x00\x00\x00\x10\x00\x08\x00\x03" + b"\x00" * 64
        ),
        415,
    ),
    Case("ico", "not-accepted", lambda: _save(_image((32, 32)), "ICO"), 415),
    Case("bmp", "not-accepted", lambda: _save(_image(), "BMP"), 415),
    Case("tga", "not-accepted", lambda: _save(_image(), "TGA"), 415),
    Case("jpeg2000", "not-accepted", lambda: _save(_image(), "JPEG2000"), 415),
    Case("zip", "not-accepted", lambda: b"PK\x03\x04" + b"\x00" * 60, 415),
    Case("elf", "not-accepted", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 60, 415),
    Case("text", "not-accepted", lambda: b"hello, this is not a photo\n" * 20, 415),
    Case("random-bytes", "not-accepted", lambda: bytes((i * 7919 + 13) % 251 for i in range(4096)), 415),
    Case("jpeg-magic-only", "not-accepted", lambda: b"\xff\xd8\xff\xe0", 415),
    Case("png-signature-only", "not-accepted", lambda: b"\x89PNG\r\n\x1a\n", 415),
    Case("gif-header-only", "not-accepted", lambda: b"GIF89a", 415),
    Case("jpeg-header-cut", "not-accepted", lambda: _jpeg()[:60], 415),
    # Decompression bombs and oversized dimensions (refused from the header, nothing decoded).
    Case("png-bomb-30000x30000", "bomb", lambda: _png_bomb(30_000, 30_000), 415),
    Case("png-bomb-200000x1000", "bomb", lambda: _png_bomb(200_000, 1_000), 415),
    Case(
        "gif-bomb-65535x65535",
        "bomb",
        lambda: (
            b"GIF89a"
            + struct.pack("<HH", 65535, 65535)
            + b"\x00\x00\x00"
            + b",\x00\x00\x00\x00"
            + struct.pack("<HH", 65535, 65535)
            + b"\x00\x02\x02D\x01\x00;"
        ),
        415,
    ),
    # Empty.
    Case("zero-bytes", "empty", lambda: b"", 400),
    # Only a full decode shows these: accepted, then FAILED with a reason.
    Case(
        "jpeg-truncated",
        "corrupt",
        lambda: _save(_image((640, 480)), "JPEG", quality=95)[:1500],
        202,
        "FAILED",
        "the file is truncated",
    ),
    Case(
        "png-truncated",
        "corrupt",
        lambda: _save(_image((640, 480)), "PNG")[:300],
        202,
        "FAILED",
        "the file is truncated",
    ),
    # A HEIF file with an AV1 picture that does not call itself AVIF: only the HEIC decoder takes it.
    Case(
        "heif-av1-unbranded",
        "corrupt",
        lambda: without_compatible_brand(with_major_brand(_save(_image(), "AVIF"), b"mif1"), b"avif"),
        202,
        "FAILED",
        "AV1, a codec this service cannot decode",
    ),
    Case("png-bad-crc", "corrupt", _corrupt_png_crc, 202, "FAILED", "the image data is corrupt"),
    # WebP decodes at open, so a cut WebP is refused at upload already.
    Case("webp-truncated", "corrupt", lambda: _save(_image((640, 480)), "WEBP")[:200], 415),
    Case(
        "gif-truncated",
        "corrupt",
        lambda: _cut_in_half(_save(_image((640, 480)).convert("P"), "GIF")),
        202,
        "FAILED",
        "the file is truncated",
    ),
]
