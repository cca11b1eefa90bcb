"""Any decoded pixel mode as one the resizer filters, and transparency composited (pure, no I/O).

The accepted formats decode to 1, L, LA, P, RGB, RGBA, I;16 or CMYK (jpegload adds YCbCr), and
other callers may hand PA, I or F. The resizer needs 8-bit L, LA, RGB, RGBA or YCbCr, with any
transparency as a real alpha channel and colours in sRGB, unless an RGB ICC profile says otherwise
(that one travels with the derivatives; grey and CMYK profiles are applied here, as the derivatives
are RGB). Transparency is composited onto BACKGROUND here and nowhere else.
"""

from __future__ import annotations

from functools import cache, reduce
from io import BytesIO

from PIL import Image, ImageChops, ImageCms, ImageMath

RESIZABLE = frozenset({"L", "LA", "RGB", "RGBA", "YCbCr"})
BACKGROUND = (255, 255, 255)  # thumbnails sit on white, and JPEG has no alpha
_COLOUR_KEYED = ("1", "L", "RGB", "I", "I;16", "I;16B", "I;16L", "I;16N")
# What an ICC profile's header names its colour space (bytes 16-20), for the modes it can describe.
_PROFILE_SPACE = {"L": b"GRAY", "LA": b"GRAY", "CMYK": b"CMYK"}


def resizable(img: Image.Image, alpha: Image.Image | None = None) -> Image.Image:
    """img in a RESIZABLE mode; `alpha` (mode L, 0 = transparent) is its transparency if given.

    Without `alpha`, a colour key in img.info["transparency"] is one, matched exactly on the
    decoded samples (callers whose samples differ from the key's, see pngkey, pass `alpha`).
    """
    if alpha is None and img.mode in RESIZABLE and not _needs_work(img):
        return img  # the common case (every JPEG, WebP, HEIC, AVIF): no copy
    if alpha is None and "transparency" in img.info and img.mode in _COLOUR_KEYED:
        alpha = key_alpha(img, img.info["transparency"])
    colour = _in_srgb(_eight_bit(img), img.info.get("icc_profile"))
    if alpha is not None:
        colour = colour.convert("RGBA" if colour.mode.startswith("RGB") else "LA")
        colour.putalpha(alpha)
    # A colour key is applied now; left in info, conversions further on would try it again.
    colour.info.pop("transparency", None)
    return colour


def key_alpha(img: Image.Image, key: object) -> Image.Image:
    """The alpha a colour key means: 0 where a pixel equals `key` exactly, else 255."""
    if img.mode.startswith("I"):
        (value,) = key if isinstance(key, tuple) else (key,)
        return ImageMath.lambda_eval(lambda a: (a["img"] != value) * 255, img=img.convert("I")).convert("L")
    bands = img.convert("L").split() if img.mode == "1" else img.split()
    keys = key if isinstance(key, tuple) else (key,)
    return band_match_alpha(list(zip(bands, keys, strict=True)))


def band_match_alpha(bands_and_keys: list[tuple[Image.Image, int]]) -> Image.Image:
    """0 where every 8-bit band equals its key, else 255."""
    matches = [band.point(lambda v, k=k: 255 if v == k else 0) for band, k in bands_and_keys]
    return ImageChops.invert(reduce(ImageChops.multiply, matches))


def flatten(img: Image.Image) -> Image.Image:
    """img without alpha: transparent areas become BACKGROUND."""
    if img.mode not in ("RGBA", "LA"):
        return img
    rgba = img.convert("RGBA")
    flat = Image.new("RGB", rgba.size, BACKGROUND)
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _needs_work(img: Image.Image) -> bool:
    """A RESIZABLE image that still carries a colour key or a profile to apply."""
    if "transparency" in img.info and img.mode in _COLOUR_KEYED:
        return True
    return _profile_to_apply(img) is not None


def _eight_bit(img: Image.Image) -> Image.Image:
    """img as 8-bit L, LA, RGB, RGBA or YCbCr, or CMYK (which _in_srgb converts)."""
    mode = img.mode
    if mode in RESIZABLE or mode == "CMYK":
        return img
    if mode in ("P", "PA"):
        # Palette indices cannot be interpolated; RGBA keeps a transparent index transparent.
        return img.convert("RGBA" if mode == "PA" or "transparency" in img.info else "RGB")
    if mode.startswith("I"):
        # 16-bit samples (I holds them widened): a plain convert("L") would clip at 255, all white.
        return img.convert("I").point(lambda v: v / 257 + 0.5).convert("L")
    if mode in ("1", "F"):
        return img.convert("L")  # F is taken as 0-255, as Pillow does: clipped, rounded
    if mode in ("La", "RGBa"):  # premultiplied alpha
        return img.convert(mode.upper())
    return img.convert("RGB")  # LAB, HSV...


def _in_srgb(img: Image.Image, icc: object) -> Image.Image:
    """img with a grey or CMYK ICC profile applied (to sRGB); anything else as is (CMYK plainly to RGB)."""
    profile = _profile_to_apply(img, icc)
    if profile is None:
        return img.convert("RGB") if img.mode == "CMYK" else img
    colour = img.convert("L") if img.mode == "LA" else img
    try:
        transform = ImageCms.buildTransform(
            ImageCms.ImageCmsProfile(BytesIO(profile)),
            _srgb(),
            colour.mode,
            "RGB",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
        )
        rgb = ImageCms.applyTransform(colour, transform)
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken profile costs the colour accuracy, never the photo.
        rgb = colour.convert("RGB")
    assert rgb is not None
    rgb.info = {k: v for k, v in img.info.items() if k != "icc_profile"}
    if img.mode == "LA":
        rgb.putalpha(img.getchannel("A"))
    return rgb


def _profile_to_apply(img: Image.Image, icc: object = None) -> bytes | None:
    """The image's grey or CMYK profile when it describes img's mode, else None."""
    icc = img.info.get("icc_profile") if icc is None else icc
    space = _PROFILE_SPACE.get(img.mode)
    if space and isinstance(icc, bytes) and len(icc) >= 128 and icc[16:20] == space:
        return icc
    return None


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
