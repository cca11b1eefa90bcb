"""JPEG shrink-on-load at every scale libjpeg-turbo offers, straight into YCbCr (pure, no I/O).

Pillow's draft() decodes at 1/2, 1/4 or 1/8 only. libjpeg-turbo scales by any M/8, and Pillow's
decoder passes its `decoderconfig` scale on as `scale_num = 1, scale_denom = d`, which libjpeg-turbo
rounds up to the next M/8 it implements: d = 8, 4, 3, 2 decode at 1/8, 2/8, 3/8, 4/8. For a 4000x3000
photo and a 1280x960 target that is 1500x1125 instead of draft()'s 2000x1500, for the same decode
time and a third less resizing after it. Doing so means setting the tile, size and decoderconfig
Pillow's draft() sets, so it is done only where that was verified (see `_can_scale`).
"""

from __future__ import annotations

from functools import cache

import PIL
from PIL import Image, ImageFile, JpegImagePlugin, features

Box = tuple[float, float, float, float]

# (M, d): decoderconfig d decodes at M/8; smallest scale first. 8/8 is no scaling at all.
_SCALES = ((1, 8), (2, 4), (3, 3), (4, 2))
# The decoder fills a row buffer sized from the tile, and libjpeg-turbo writes ceil(width * M / 8)
# pixels per row: the two must agree exactly. Verified with this Pillow line and libjpeg-turbo by
# tests/unit/worker/test_jpegload.py; any other Pillow falls back to draft(), which is always safe.
_VERIFIED_PILLOW_MAJOR = "13"
_RGB_COMPONENT_IDS = [82, 71, 66]  # "R", "G", "B": libjpeg takes such a file as RGB, not YCbCr
_IN_ONE_PIECE = 1 << 30  # bytes per read(); reading the in-memory file returns what is left


def shrink_on_load(img: Image.Image, size: tuple[int, int]) -> Box | None:
    """Set a JPEG to decode at the smallest scale still covering `size`, in YCbCr when it is stored so.

    Returns the original's extent in decoded pixels (the resize box), or None when img is left as is.
    Call before img.load(); `size` is in stored orientation.
    """
    if not isinstance(img, JpegImagePlugin.JpegImageFile):
        return None
    # The file is in memory: hand it to libjpeg in one piece, not 64 KB at a time (~2% faster).
    img.decodermaxblock = max(img.decodermaxblock, _IN_ONE_PIECE)
    ycbcr = stores_ycbcr(img)
    if not _can_scale(img):
        drafted = img.draft("YCbCr" if ycbcr else None, size)
        return drafted[1] if drafted else None
    width, height = img.size
    num, denom = next(((m, d) for m, d in _SCALES if width * m >= 8 * size[0] and height * m >= 8 * size[1]), (8, 1))
    if num == 8 and not ycbcr:
        return None
    tile = img.tile[0]
    decoded = (-(-width * num // 8), -(-height * num // 8))  # libjpeg's jdiv_round_up(width * M, 8)
    img.tile = [ImageFile._Tile("jpeg", (0, 0, *decoded), tile.offset, ("YCbCr" if ycbcr else tile.args[0], ""))]
    img._size = decoded
    if ycbcr:
        img._mode = "YCbCr"
    img.decoderconfig = (denom, 0)
    return (0, 0, width * num / 8, height * num / 8)


def stores_ycbcr(img: JpegImagePlugin.JpegImageFile) -> bool:
    """True when libjpeg will take this 3-component JPEG as YCbCr, so it can hand out YCbCr unconverted.

    Mirrors libjpeg's own guess: JFIF means YCbCr, Adobe's marker says, else component ids "R","G","B"
    mean RGB. Asking for YCbCr from an RGB-coded file would make libjpeg fail the decode.
    """
    layers = getattr(img, "layer", [])
    if img.mode != "RGB" or len(layers) != 3 or len(img.tile) != 1 or img.tile[0].args[:1] != ("RGB",):
        return False
    if "jfif" in img.info:
        return True
    if "adobe" in img.info:
        return img.info.get("adobe_transform") != 0
    return [layer[0] for layer in layers] != _RGB_COMPONENT_IDS


def _can_scale(img: JpegImagePlugin.JpegImageFile) -> bool:
    """True when img has the one untouched "jpeg" tile this module knows how to rewrite."""
    if not _scaling_verified() or img.decoderconfig or len(img.tile) != 1:
        return False
    tile = img.tile[0]
    return (
        tile.codec_name == "jpeg"
        and tile.extents == (0, 0, *img.size)
        and isinstance(tile.args, tuple)
        and len(tile.args) == 2
        and isinstance(tile.args[0], str)
        and tile.args[1] == ""
    )


@cache
def _scaling_verified() -> bool:
    """This Pillow passes the scale on as verified, to libjpeg-turbo (plain libjpeg has no M/8 scaling)."""
    return PIL.__version__.split(".")[0] == _VERIFIED_PILLOW_MAJOR and bool(features.check_feature("libjpeg_turbo"))
