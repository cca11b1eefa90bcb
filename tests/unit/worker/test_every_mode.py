"""Every pixel mode Pillow can hand the pipeline, with and without transparency and ICC profiles,
through the worker's render_photo (and, for files, the upload check): right size, right pixels.

Each row encodes one picture: a red patch, a grey ramp (20..235) and, on the right, a clear top
half (transparent where the row can say so) over an opaque bottom half in the colour the clear
part has underneath. The reference is the slow, obviously right way: the picture itself, its
profile applied with ImageCms, composited onto white, resized with LANCZOS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

import pytest
from PIL import Image, ImageChops, ImageCms, ImageDraw

from photoshare_shared.imageformats import ACCEPTED_FORMATS, enable_phone_formats
from photoshare_web.sniff import inspect_image
from photoshare_worker import imaging
from photoshare_worker.imaging import RenderedPhoto, render_photo
from tests.support.iccprofiles import linear_grey_profile, srgb_profile, swapped_cmyk_profile
from tests.support.images import png_file, with_major_brand

SIZE = (300, 200)
PATCH, KEY = (200, 40, 40), (255, 0, 255)
WHITE = (255, 255, 255)
# (x, y) as fractions: the patch, three points of the ramp, the clear and the opaque right halves.
PROBES = [(1 / 6, 0.5), (0.40, 0.5), (0.5, 0.5), (0.60, 0.5), (5 / 6, 0.25), (5 / 6, 0.75)]
LOSSLESS_TOLERANCE, LOSSY_TOLERANCE = 10, 28
GREY_PROFILE, CMYK_PROFILE, RGB_PROFILE = linear_grey_profile(), swapped_cmyk_profile(), srgb_profile()


def picture(grey: bool = False) -> Image.Image:
    """The RGBA (or LA) truth every row encodes."""
    base = Image.new("RGB", SIZE, KEY)
    ramp = Image.linear_gradient("L").rotate(90).resize((SIZE[0] // 3, SIZE[1])).point(lambda v: 235 - v * 215 // 255)
    base.paste(PATCH, (0, 0, SIZE[0] // 3, SIZE[1]))
    base.paste(Image.merge("RGB", [ramp] * 3), (SIZE[0] // 3, 0))
    alpha = Image.new("L", SIZE, 255)
    ImageDraw.Draw(alpha).rectangle((2 * SIZE[0] // 3, 0, SIZE[0], SIZE[1] // 2 - 1), fill=0)
    base.putalpha(alpha)
    if grey:
        grey_image = base.convert("RGB").convert("L")
        grey_image.paste(0, (2 * SIZE[0] // 3, 0, SIZE[0], SIZE[1]))  # black under the clear half and below it
        grey_image = Image.merge("LA", (grey_image, alpha))
        return grey_image
    return base


def bilevel() -> Image.Image:
    """White on the left two thirds, black on the right (all of it the colour key when keyed)."""
    img = Image.new("LA", SIZE, (255, 255))
    img.paste((0, 0), (2 * SIZE[0] // 3, 0, SIZE[0], SIZE[1]))
    return img


def opaque(img: Image.Image) -> Image.Image:
    """img without its alpha (what a row without transparency holds)."""
    return img.convert("L" if img.mode == "LA" else "RGB")


def keyed(img: Image.Image, key: int | tuple[int, ...], nudge: int | tuple[int, ...]) -> Image.Image:
    """img's colour with `key` where it is clear, and opaque pixels equal to the key nudged off it."""
    colour = opaque(img)
    keys = key if isinstance(key, tuple) else (key,)
    matches = [band.point(lambda v, k=k: 255 if v == k else 0) for band, k in zip(colour.split(), keys, strict=True)]
    equal = matches[0]
    for match in matches[1:]:
        equal = ImageChops.multiply(equal, match)
    colour.paste(nudge, mask=equal)
    colour.paste(key, mask=ImageChops.invert(img.getchannel("A")))
    return colour


def save(img: Image.Image, fmt: str, **options: object) -> bytes:
    enable_phone_formats()
    out = BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def wide(img: Image.Image) -> list[list[int]]:
    """img's samples as 16-bit values, row by row (v * 257 maps 0..255 onto 0..65535)."""
    width = img.width * len(img.getbands())
    raw = img.tobytes()
    return [[v * 257 for v in raw[y * width : (y + 1) * width]] for y in range(img.height)]


def sixteen_bit_grey(img: Image.Image) -> Image.Image:
    return opaque(img).convert("I").point(lambda v: v * 257).convert("I;16")


def png16_rgb_keyed() -> bytes:
    """16-bit RGB, key magenta; the opaque magenta differs from it only in the low byte of blue."""
    rows = wide(opaque(picture()))
    alpha = picture().getchannel("A").tobytes()
    for y, row in enumerate(rows):
        for x in range(SIZE[0]):
            if row[3 * x : 3 * x + 3] == [65535, 0, 65535] and alpha[y * SIZE[0] + x]:
                row[3 * x + 2] = 65534
    return png_file(*SIZE, 16, 2, rows, trns=(65535, 0, 65535))


def palette_with_clear_index(img: Image.Image) -> Image.Image:
    """img as P: its colours quantised, and a last index for the clear pixels."""
    pal = opaque(img).quantize(255)
    pal.paste(255, mask=ImageChops.invert(img.getchannel("A")))
    palette = (pal.getpalette() or [])[: 255 * 3]
    pal.putpalette(palette + [0] * (255 * 3 - len(palette)) + list(KEY))
    return pal


def sixteen_bit_grey_keyed() -> bytes:
    """16-bit grey, key 0; the opaque black is 1, next to the key but not it."""
    truth = picture(True)
    grey, alpha = truth.split()
    samples = grey.convert("I").point(lambda v: v * 257)
    black = ImageChops.multiply(grey.point(lambda v: 255 if v == 0 else 0), alpha)
    samples.paste(1, mask=black)
    samples.paste(0, mask=ImageChops.invert(alpha))
    return save(samples.convert("I;16"), "PNG", transparency=0)


def two_bit_grey_keyed() -> tuple[bytes, Image.Image]:
    """2-bit grey (samples 0-3, shown as 0, 85, 170, 255), key 1 (85: Pillow scales the samples, not the
    key), opaque 85s raised to 170; and its truth."""
    truth = picture(True)
    grey = opaque(truth).point(lambda v: v // 85 * 85)
    low = keyed(Image.merge("LA", (grey, truth.getchannel("A"))), 85, 170)
    data = png_file(*SIZE, 2, 0, [[v // 85 for v in row] for row in _rows(low)], trns=(1,))
    return data, Image.merge("LA", (low, truth.getchannel("A")))


@dataclass(frozen=True)
class Row:
    name: str
    # A file, or for modes no accepted file decodes to (PA, I, F, a non-JPEG YCbCr) an image as a decoder returns it.
    make: Callable[[], bytes | Image.Image]
    truth: Callable[[], Image.Image]  # what the row holds, in L, LA, RGB or RGBA (LA/RGBA: with transparency)
    format: str | None = None  # the accepted format a file row is
    lossy: bool = False
    profile: bytes | None = None  # applied (grey, CMYK) or carried (RGB) by the derivatives


def mif1_first(name: str, fmt: str) -> Row:
    """A photo of `fmt` whose file names the generic HEIF brand `mif1` first."""
    return Row(
        name,
        lambda: with_major_brand(save(opaque(picture()), fmt, quality=90), b"mif1"),
        lambda: opaque(picture()),
        fmt,
        True,
    )


def with_profile(
    name: str,
    image: Callable[[], Image.Image],
    truth: Callable[[], Image.Image],
    fmt: str,
    profile: bytes,
    quality: int | None = None,
) -> Row:
    """A row of `image` saved as `fmt` (a JPEG at `quality`) with an embedded ICC profile."""
    options = {"quality": quality} if quality else {}
    return Row(name, lambda: save(image(), fmt, icc_profile=profile, **options), truth, fmt, fmt == "JPEG", profile)


ROWS = [
    Row("1", lambda: save(opaque(bilevel()).convert("1"), "PNG"), lambda: opaque(bilevel()), "PNG"),
    Row("1+tRNS", lambda: save(opaque(bilevel()).convert("1"), "PNG", transparency=0), bilevel, "PNG"),
    Row("L", lambda: save(opaque(picture(True)), "PNG"), lambda: opaque(picture(True)), "PNG"),
    Row("L-jpeg", lambda: save(opaque(picture(True)), "JPEG"), lambda: opaque(picture(True)), "JPEG", lossy=True),
    Row("L+tRNS", lambda: save(keyed(picture(True), 0, 1), "PNG", transparency=0), lambda: picture(True), "PNG"),
    Row("L-2bit+tRNS", lambda: two_bit_grey_keyed()[0], lambda: two_bit_grey_keyed()[1], "PNG"),
    Row("LA", lambda: save(picture(True), "PNG"), lambda: picture(True), "PNG"),
    Row("P", lambda: save(opaque(picture()).quantize(255), "PNG"), lambda: opaque(picture()), "PNG"),
    Row("P-gif", lambda: save(opaque(picture()).quantize(255), "GIF"), lambda: opaque(picture()), "GIF"),
    Row("P+transparency", lambda: save(palette_with_clear_index(picture()), "PNG", transparency=255), picture, "PNG"),
    Row(
        "P+transparency-gif",
        lambda: save(palette_with_clear_index(picture()), "GIF", transparency=255),
        picture,
        "GIF",
    ),
    Row("PA", lambda: picture().convert("PA"), picture),
    Row("RGB", lambda: save(opaque(picture()), "PNG"), lambda: opaque(picture()), "PNG"),
    Row("RGB-jpeg", lambda: save(opaque(picture()), "JPEG", quality=90), lambda: opaque(picture()), "JPEG", True),
    Row("RGB-webp", lambda: save(opaque(picture()), "WEBP", quality=90), lambda: opaque(picture()), "WEBP", True),
    Row("RGB-heic", lambda: save(opaque(picture()), "HEIF", quality=90), lambda: opaque(picture()), "HEIF", True),
    Row("RGB-avif", lambda: save(opaque(picture()), "AVIF", quality=90), lambda: opaque(picture()), "AVIF", True),
    mif1_first("RGB-avif-branded-mif1", "AVIF"),
    mif1_first("RGB-heic-branded-mif1", "HEIF"),
    Row("RGB+tRNS", lambda: save(keyed(picture(), KEY, (254, 0, 255)), "PNG", transparency=KEY), picture, "PNG"),
    Row("RGBA", lambda: save(picture(), "PNG"), picture, "PNG"),
    Row("RGBA-webp", lambda: save(picture(), "WEBP", lossless=True), picture, "WEBP"),
    Row("RGBA-avif", lambda: save(picture(), "AVIF", quality=90), picture, "AVIF", True),
    Row("I;16", lambda: save(sixteen_bit_grey(picture(True)), "PNG"), lambda: opaque(picture(True)), "PNG"),
    Row("I;16+tRNS", sixteen_bit_grey_keyed, lambda: picture(True), "PNG"),
    Row("I", lambda: opaque(picture(True)).convert("I").point(lambda v: v * 257), lambda: opaque(picture(True))),
    Row("F", lambda: opaque(picture(True)).convert("F"), lambda: opaque(picture(True))),
    Row(
        "CMYK",
        lambda: save(opaque(picture()).convert("CMYK"), "JPEG", quality=95),
        lambda: opaque(picture()),
        "JPEG",
        True,
    ),
    Row("YCbCr", lambda: opaque(picture()).convert("YCbCr"), lambda: opaque(picture()), lossy=True),
    Row("png16-grey-alpha", lambda: png_file(*SIZE, 16, 4, wide(picture(True))), lambda: picture(True), "PNG"),
    Row("png16-rgb", lambda: png_file(*SIZE, 16, 2, wide(opaque(picture()))), lambda: opaque(picture()), "PNG"),
    Row("png16-rgb+tRNS", png16_rgb_keyed, picture, "PNG"),
    Row("png16-rgba", lambda: png_file(*SIZE, 16, 6, wide(picture())), picture, "PNG"),
    # ICC profiles: grey and CMYK ones are applied (derivatives are RGB), RGB ones carried along.
    with_profile("L+icc", lambda: opaque(picture(True)), lambda: opaque(picture(True)), "PNG", GREY_PROFILE),
    with_profile("L-jpeg+icc", lambda: opaque(picture(True)), lambda: opaque(picture(True)), "JPEG", GREY_PROFILE, 95),
    with_profile("LA+icc", lambda: picture(True), lambda: picture(True), "PNG", GREY_PROFILE),
    with_profile(
        "I;16+icc", lambda: sixteen_bit_grey(picture(True)), lambda: opaque(picture(True)), "PNG", GREY_PROFILE
    ),
    with_profile(
        "CMYK+icc", lambda: opaque(picture()).convert("CMYK"), lambda: opaque(picture()), "JPEG", CMYK_PROFILE, 95
    ),
    with_profile("RGB+icc", lambda: opaque(picture()), lambda: opaque(picture()), "PNG", RGB_PROFILE),
    with_profile("RGB-jpeg+icc", lambda: opaque(picture()), lambda: opaque(picture()), "JPEG", RGB_PROFILE, 90),
    with_profile("RGBA+icc", picture, picture, "PNG", RGB_PROFILE),
    with_profile("P+icc", lambda: opaque(picture()).quantize(255), lambda: opaque(picture()), "PNG", RGB_PROFILE),
]


def _rows(img: Image.Image) -> list[list[int]]:
    raw = img.tobytes()
    return [list(raw[y * img.width : (y + 1) * img.width]) for y in range(img.height)]


def reference(row: Row) -> Image.Image:
    """The truth with its profile applied, composited onto white, as RGB."""
    truth = row.truth()
    alpha = truth.getchannel("A") if truth.mode in ("LA", "RGBA") else None
    colour = opaque(truth) if alpha is not None else truth
    if row.profile is not None and row.profile[16:20] != b"RGB ":
        source = colour.convert("CMYK") if row.profile[16:20] == b"CMYK" else colour
        colour = ImageCms.profileToProfile(
            source,
            ImageCms.ImageCmsProfile(BytesIO(row.profile)),
            ImageCms.createProfile("sRGB"),
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            outputMode="RGB",
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
        )
    flat = Image.new("RGB", SIZE, WHITE)
    flat.paste(colour.convert("RGB"), mask=alpha)
    return flat


def render(row: Row, monkeypatch: pytest.MonkeyPatch) -> RenderedPhoto:
    source = row.make()
    if isinstance(source, bytes):
        kind = inspect_image(BytesIO(source), max_pixels=100_000_000)  # the upload check routes it the same way
        rendered = render_photo(source)
        assert (kind.format, kind.content_type) == (row.format, ACCEPTED_FORMATS[row.format])
        assert (kind.width, kind.height) == (rendered.width, rendered.height) == SIZE
        return rendered
    monkeypatch.setattr(imaging, "open_image", lambda stream: source)
    return render_photo(b"decoded in memory")


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_every_mode_gives_a_right_thumbnail(row: Row, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = render(row, monkeypatch)
    expected = reference(row)
    tolerance = LOSSY_TOLERANCE if row.lossy else LOSSLESS_TOLERANCE
    for derivative in rendered.derivatives:
        out = Image.open(BytesIO(derivative.data))
        assert out.size == (derivative.width, derivative.height)
        assert max(out.size) == min(derivative.spec.max_side, max(SIZE))
        assert out.mode == "RGB"
        carries_rgb_profile = row.profile is not None and row.profile[16:20] == b"RGB "
        assert out.info.get("icc_profile") == (row.profile if carries_rgb_profile else None)
        want = expected.resize(out.size, Image.Resampling.LANCZOS)
        for fx, fy in PROBES:
            xy = (int(fx * out.width), int(fy * out.height))
            got, ideal = out.getpixel(xy), want.getpixel(xy)
            assert all(abs(g - i) <= tolerance for g, i in zip(got, ideal, strict=True)), (
                derivative.spec.name,
                xy,
                got,
                ideal,
            )
    mean = expected.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    shown = bytes.fromhex(rendered.average_color[1:])
    assert all(abs(s - m) <= tolerance for s, m in zip(shown, mean, strict=True)), (rendered.average_color, mean)


def test_the_table_has_teeth() -> None:
    """Each row's probes tell its transparency and profile apart from what ignoring them gives."""
    clear = (int(PROBES[4][0] * SIZE[0]), int(PROBES[4][1] * SIZE[1]))
    for row in ROWS:
        truth = row.truth()
        if truth.mode in ("LA", "RGBA"):
            assert reference(row).getpixel(clear) == WHITE
            assert opaque(truth).convert("RGB").getpixel(clear) != WHITE, row.name
        if row.profile is not None and row.profile[16:20] != b"RGB ":
            plain = opaque(truth).convert("RGB")
            patch = (int(PROBES[0][0] * SIZE[0]), SIZE[1] // 2)
            difference = [
                abs(a - b) for a, b in zip(reference(row).getpixel(patch), plain.getpixel(patch), strict=True)
            ]
            assert max(difference) > 2 * LOSSY_TOLERANCE, row.name
