"""jpegload: JPEG shrink-on-load at M/8 scales, into YCbCr, and its fall-back to Pillow's draft()."""

from __future__ import annotations

import math
from io import BytesIO

import pytest
from PIL import Image, ImageChops, ImageStat

from photoshare_worker import jpegload
from photoshare_worker.jpegload import shrink_on_load, stores_ycbcr


def jpeg(size: tuple[int, int], mode: str = "RGB", **options: object) -> bytes:
    """A JPEG with a gradient and a few hard edges, so a wrong scale or offset shows."""
    width, height = size
    img = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(size),
            Image.linear_gradient("L").rotate(90).resize(size),
            Image.radial_gradient("L").resize(size),
        ],
    )
    img.paste((250, 20, 20), (width // 4, height // 4, width // 2, height // 2))
    out = BytesIO()
    img.convert(mode).save(out, "JPEG", quality=92, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    return Image.open(BytesIO(data))


def luma_psnr(a: Image.Image, b: Image.Image) -> float:
    (rms,) = ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).rms
    return math.inf if rms == 0 else 20 * math.log10(255 / rms)


def test_the_scaled_decode_is_active_with_the_locked_pillow() -> None:
    """Fails after a Pillow upgrade: re-verify this module's tile rewrite, then bump the pin."""
    assert jpegload._scaling_verified()


@pytest.mark.parametrize(
    ("stored", "target", "eighths", "decoded"),
    [
        ((4000, 3000), (1280, 960), 3, (1500, 1125)),  # where draft() would decode 2000x1500
        ((6000, 4000), (1280, 853), 2, (1500, 1000)),
        ((2600, 1950), (1280, 960), 4, (1300, 975)),
        ((11000, 8000), (1280, 931), 1, (1375, 1000)),
        ((4001, 3001), (1280, 960), 3, (1501, 1126)),  # odd sizes: libjpeg rounds up...
        ((3000, 4000), (960, 1280), 3, (1125, 1500)),
    ],
)
def test_decodes_at_the_smallest_eighth_that_covers_the_target(stored, target, eighths, decoded) -> None:
    img = opened(jpeg(stored))
    box = shrink_on_load(img, target)
    assert img.size == decoded
    # ...and the box maps the original exactly, the last pixel partly.
    assert box == (0, 0, stored[0] * eighths / 8, stored[1] * eighths / 8)
    assert box[2] >= target[0] and box[3] >= target[1]
    img.load()
    assert img.size == decoded and img.mode == "YCbCr"


def test_the_scaled_decode_is_the_picture_at_that_scale() -> None:
    data = jpeg((4001, 3001))
    img = opened(data)
    box = shrink_on_load(img, (1280, 960))
    img.load()
    full = opened(data).convert("RGB")
    reference = full.resize(img.size, Image.Resampling.LANCZOS, box=(0, 0, *full.size))
    assert luma_psnr(img.crop((0, 0, int(box[2]), int(box[3]))), reference.crop((0, 0, int(box[2]), int(box[3])))) > 38


@pytest.mark.parametrize(
    ("options", "mode"),
    [
        ({"progressive": True}, "YCbCr"),
        ({"subsampling": "4:4:4"}, "YCbCr"),
        ({"keep_rgb": True}, "RGB"),  # Adobe marker, transform 0: stored as RGB, decoded as RGB
    ],
    ids=["progressive", "444", "adobe-rgb"],
)
def test_colour_jpegs_of_every_kind(options: dict[str, object], mode: str) -> None:
    data = jpeg((2400, 1800), **options)
    img = opened(data)
    shrink_on_load(img, (800, 600))
    img.load()
    assert (img.size, img.mode) == ((900, 675), mode)
    reference = opened(data).convert("RGB").resize(img.size, Image.Resampling.LANCZOS)
    assert luma_psnr(img.convert("RGB"), reference) > 38


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_grey_and_cmyk_jpegs_scale_and_keep_their_mode(mode: str) -> None:
    data = jpeg((2400, 1800), mode)
    img = opened(data)
    assert not stores_ycbcr(img)
    shrink_on_load(img, (800, 600))
    img.load()
    assert (img.size, img.mode) == ((900, 675), mode)
    reference = opened(data).convert("RGB").resize(img.size, Image.Resampling.LANCZOS)
    assert luma_psnr(img.convert("RGB"), reference) > 38


@pytest.mark.parametrize("size", [(1, 1), (7, 5), (8, 8), (9, 17), (300, 200)])
def test_tiny_images_are_not_scaled(size: tuple[int, int]) -> None:
    img = opened(jpeg(size))
    box = shrink_on_load(img, size)  # the target is the image itself
    img.load()
    assert img.size == size
    assert box == (0, 0, *size)


def test_multi_picture_jpegs_scale_their_first_picture() -> None:
    out = BytesIO()
    first = opened(jpeg((2400, 1800)))
    first.save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (400, 300))])
    img = opened(out.getvalue())
    assert img.format == "MPO"
    shrink_on_load(img, (800, 600))
    img.load()
    assert img.size == (900, 675)


def test_which_jpegs_are_stored_as_ycbcr() -> None:
    assert stores_ycbcr(opened(jpeg((64, 64))))
    assert not stores_ycbcr(opened(jpeg((64, 64), keep_rgb=True)))
    assert not stores_ycbcr(opened(jpeg((64, 64), "L")))


def test_other_pillow_versions_fall_back_to_draft(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jpegload, "_VERIFIED_PILLOW_MAJOR", "0")
    jpegload._scaling_verified.cache_clear()
    try:
        img = opened(jpeg((4000, 3000)))
        box = shrink_on_load(img, (1280, 960))
        img.load()
        assert img.size == (2000, 1500)  # draft(): 1/2 is the smallest of 1/2, 1/4, 1/8 that covers
        assert box == (0, 0, 2000, 1500)
        assert img.mode == "YCbCr"
    finally:
        jpegload._scaling_verified.cache_clear()


def test_an_unexpected_tile_falls_back_to_draft() -> None:
    img = opened(jpeg((4000, 3000)))
    img.tile = [img.tile[0]._replace(args=("RGB", "YCbCr"))]  # a jpegmode this module does not set
    shrink_on_load(img, (1280, 960))
    assert img.size == (2000, 1500)


def test_other_formats_are_left_alone() -> None:
    out = BytesIO()
    Image.new("RGB", (4000, 3000)).save(out, "PNG")
    img = opened(out.getvalue())
    assert shrink_on_load(img, (1280, 960)) is None
    assert img.size == (4000, 3000)


@pytest.mark.parametrize("eighths", [1, 2, 3, 4])
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:2", "4:2:0"])
@pytest.mark.parametrize("progressive", [False, True])
def test_every_scale_decodes_every_common_sampling(eighths: int, subsampling: str, progressive: bool) -> None:
    stored = (1603, 1201)  # odd, and not a multiple of the 16-pixel MCU
    data = jpeg(stored, subsampling=subsampling, progressive=progressive)
    target = (stored[0] * eighths // 8, stored[1] * eighths // 8)
    img = opened(data)
    shrink_on_load(img, target)
    img.load()
    assert img.size == (-(-stored[0] * eighths // 8), -(-stored[1] * eighths // 8))
    reference = opened(data).convert("RGB").resize(img.size, Image.Resampling.LANCZOS)
    assert luma_psnr(img.convert("RGB"), reference) > 30
