"""resample: YCbCr planes with chroma at half size, box-reduce first, pixel-doubling for the encoders."""

from __future__ import annotations

import math

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from photoshare_worker.resample import Planes, average_color, resize_planes, to_image, to_planes, to_rgb

LANCZOS = Image.Resampling.LANCZOS


def picture(size: tuple[int, int]) -> Image.Image:
    """Colour blocks with hard edges on a gradient: misplaced chroma shows as colour errors."""
    img = Image.merge(
        "RGB",
        [Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size), Image.new("L", size, 90)],
    )
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((0, 0, w // 3, h // 3), fill=(230, 20, 20))
    draw.rectangle((w // 2, h // 2, w - 1, h - 1), fill=(20, 40, 220))
    draw.rectangle((w // 5, h * 2 // 3, w // 2, h - 1), fill=(20, 200, 40))
    return img


def rgb_psnr(a: Image.Image, b: Image.Image) -> float:
    rms = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).rms
    mse = sum(r * r for r in rms) / 3
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def test_rgb_becomes_luma_and_half_size_chroma() -> None:
    img = picture((401, 301))
    planes, box = to_planes(img, (401, 301), (0, 0, 401, 301))
    assert box == (0, 0, 401, 301)
    assert planes.luma.size == (401, 301) and planes.chroma_scale == 0.5
    assert planes.blue.size == planes.red.size == (201, 151)
    assert planes.luma.tobytes() == img.convert("L").tobytes()  # JPEG's luma


def test_a_decoded_ycbcr_image_keeps_full_size_chroma() -> None:
    img = picture((400, 300)).convert("YCbCr")
    planes, _ = to_planes(img, (400, 300), (0, 0, 400, 300))
    assert planes.chroma_scale == 1.0 and planes.blue.size == (400, 300)
    assert to_image(planes).tobytes() == img.tobytes()


def test_a_big_source_is_box_reduced_first_and_the_box_follows() -> None:
    planes, box = to_planes(picture((4000, 3000)), (1280, 960), (0, 0, 4000, 3000))
    assert planes.size == (1334, 1000)  # reduce(3), the last column partly covered...
    assert box == (0, 0, 4000 / 3, 1000)  # ...which the box says


def test_transparency_is_flattened_onto_white() -> None:
    img = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (0, 0, 100, 100))
    planes, _ = to_planes(img, (200, 100), (0, 0, 200, 100))
    flat = to_image(planes).convert("RGB")
    assert flat.getpixel((150, 50)) == (255, 255, 255)
    assert flat.getpixel((50, 50))[0] > 240


@pytest.mark.parametrize("transpose", [None, *Image.Transpose])
@pytest.mark.parametrize(("source", "size"), [((1500, 1125), (1280, 960)), ((1500, 1000), (1281, 853))])
def test_resize_then_transpose_matches_the_plain_way(transpose, source, size) -> None:
    """Whatever the orientation and odd sizes, the doubled chroma lines up with the luma."""
    img = picture(source)
    planes, box = to_planes(img.convert("YCbCr"), size, (0, 0, *source))
    out = to_image(resize_planes(planes, size, box, LANCZOS, transpose=transpose))
    expected = img.resize(size, LANCZOS)
    if transpose is not None:
        expected = expected.transpose(transpose)
    assert out.size == expected.size
    # The encoders average chroma over 2x2 blocks: judge both after that same averaging.
    half = (-(-out.width // 2), -(-out.height // 2))
    assert rgb_psnr(out.resize(half, Image.Resampling.BOX), expected.resize(half, Image.Resampling.BOX)) > 38


def test_nothing_to_resize_only_transposes() -> None:
    planes, box = to_planes(picture((300, 200)).convert("YCbCr"), (300, 200), (0, 0, 300, 200))
    assert resize_planes(planes, (300, 200), box, LANCZOS) is planes
    turned = resize_planes(planes, (300, 200), box, LANCZOS, transpose=Image.Transpose.ROTATE_90)
    assert turned.size == (200, 300) and turned.chroma_scale == 1.0


def test_to_image_doubles_half_size_chroma_exactly() -> None:
    luma = Image.new("L", (5, 3), 100)
    blue = Image.frombytes("L", (3, 2), bytes([10, 20, 30, 40, 50, 60]))
    image = to_image(Planes(luma, blue, blue.copy(), 0.5))
    assert image.size == (5, 3)
    rows = [[image.getpixel((x, y))[1] for x in range(5)] for y in range(3)]
    assert rows == [[10, 10, 20, 20, 30], [10, 10, 20, 20, 30], [40, 40, 50, 50, 60]]


def test_to_rgb_converts_as_libjpeg_does() -> None:
    """Rounded, where convert("RGB") from YCbCr floors: (84, 86, 210) is (199, 40, 10) in libjpeg."""
    ycbcr = Image.new("YCbCr", (2, 2), (84, 86, 210))
    planes = Planes(*ycbcr.split(), 1.0)
    assert to_rgb(planes).getpixel((0, 0)) == (199, 40, 10)
    assert ycbcr.convert("RGB").getpixel((0, 0)) == (198, 39, 9)  # why to_rgb does not use it


def test_average_colour_of_any_mode() -> None:
    assert average_color(Image.new("RGB", (10, 10), (200, 40, 10))) == "#c8280a"
    assert average_color(Image.new("L", (10, 10), 128)) == "#808080"
    assert average_color(Image.new("RGBA", (10, 10), (0, 0, 0, 0))) == "#ffffff"
