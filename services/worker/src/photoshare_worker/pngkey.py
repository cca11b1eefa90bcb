"""A PNG colour key (tRNS for greyscale or truecolour) as an alpha channel, exact at every bit depth.

Pillow keeps the key as stored, in the file's own sample units, but scales 2- and 4-bit grey up to
0-255 and keeps only the high byte of 16-bit truecolour; matching its key against those pixels
would miss. 1-, 8- and 16-bit grey and 8-bit truecolour match as decoded (modes.key_alpha).
"""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from photoshare_worker.modes import band_match_alpha, key_alpha

_IHDR_DEPTH, _IHDR_COLOUR_TYPE = 24, 25  # offsets in the file: the signature, then IHDR comes first
_GREY, _TRUECOLOUR = 0, 2


def png_key_alpha(img: Image.Image, data: bytes) -> Image.Image | None:
    """The alpha the decoded PNG `img` (made from `data`) gets from its colour key, or None if it has none."""
    key = img.info.get("transparency")
    if key is None or img.mode not in ("1", "L", "I;16", "RGB") or len(data) <= _IHDR_COLOUR_TYPE:
        return None
    depth, colour_type = data[_IHDR_DEPTH], data[_IHDR_COLOUR_TYPE]
    if colour_type == _GREY and depth in (2, 4) and isinstance(key, int):
        top = (1 << depth) - 1
        return key_alpha(img, (key & top) * 255 // top)  # as Pillow scales the samples
    if colour_type == _TRUECOLOUR and depth == 16 and isinstance(key, tuple):
        high, low = img.split(), _low_bytes(data).split()
        return band_match_alpha(
            [(band, k >> 8) for band, k in zip(high, key, strict=True)]
            + [(band, k & 0xFF) for band, k in zip(low, key, strict=True)]
        )
    return key_alpha(img, key)


def _low_bytes(data: bytes) -> Image.Image:
    """A 16-bit truecolour PNG decoded again for the low byte of each sample (Pillow keeps the high)."""
    img = Image.open(BytesIO(data), formats=["PNG"])
    # Read as little-endian, the "high" byte Pillow keeps is the second of each pair: the low one.
    img.tile = [tile._replace(args="RGB;16L") for tile in img.tile]
    img.load()
    return img
