"""render_photo: orientation, sizes, modes, metadata stripping, bad input, quality."""

from __future__ import annotations

import math
import random
import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageOps, ImageStat
from PIL.TiffImagePlugin import IFDRational

from photoshare_shared.imageformats import LARGE, SMALL, THUMBNAIL_SPECS
from photoshare_worker.imaging import Derivative, RenderedPhoto, UndecodableImage, render_photo
from tests.support.images import with_major_brand, without_compatible_brand

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)

# The inverse of ImageOps.exif_transpose for each orientation: applied to an upright picture it
# gives the pixels a camera would store with that tag.
STORED_FROM_UPRIGHT = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def encode(img: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    """img saved to bytes."""
    buf = BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def orientation_exif(orientation: int) -> Image.Exif:
    """An Exif block holding only an orientation."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif


def open_derivative(derivative: Derivative) -> Image.Image:
    """The decoded derivative, checked against its declared size."""
    img = Image.open(BytesIO(derivative.data))
    img.load()
    assert img.size == (derivative.width, derivative.height)
    return img


def by_name(photo: RenderedPhoto) -> dict[str, Derivative]:
    """Derivatives keyed by spec name."""
    return {d.spec.name: d for d in photo.derivatives}


def assert_colour(img: Image.Image, xy: tuple[float, float], expected: tuple[int, int, int], tol: int = 40) -> None:
    """The pixel at fractional position xy is close to expected."""
    x = min(img.width - 1, int(xy[0] * img.width))
    y = min(img.height - 1, int(xy[1] * img.height))
    actual = img.convert("RGB").getpixel((x, y))
    assert all(abs(a - e) <= tol for a, e in zip(actual, expected, strict=True)), (xy, actual, expected)


def psnr(a: Image.Image, b: Image.Image) -> float:
    """Peak signal-to-noise ratio of two same-size RGB images, in dB."""
    rms = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).rms
    mse = sum(r * r for r in rms) / len(rms)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def photo_like(width: int, height: int, seed: int = 1) -> Image.Image:
    """Gradients, shapes, edges, texture and sensor noise: resampled and JPEG-coded like a photo."""
    r = Image.linear_gradient("L").resize((width, height))
    g = Image.radial_gradient("L").resize((width, height))
    b = Image.linear_gradient("L").rotate(90).resize((width, height))
    img = Image.merge("RGB", (r, g, b))
    draw = ImageDraw.Draw(img)
    rng = random.Random(seed)
    for _ in range(60):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(2, max(3, width // 4)), rng.randrange(2, max(3, height // 4))
        # Real photos have modest chroma contrast; saturated random colours would only
        # measure JPEG's 4:2:0 chroma loss, not the resampling this test is about.
        grey = rng.randrange(40, 216)
        colour = tuple(max(0, min(255, grey + rng.randint(-60, 60))) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=colour)
    for i in range(0, width, max(1, width // 12)):  # thin dark lines: detail a sloppy downscale aliases
        draw.line((i, 0, i + height // 3, height), fill=(30, 30, 30), width=3)
    # Coarse texture (foliage, fabric) and fine sensor noise.
    coarse = Image.effect_noise((max(1, width // 8), max(1, height // 8)), 40)
    img = Image.blend(img, coarse.resize((width, height), Image.Resampling.BICUBIC).convert("RGB"), 0.15)
    return Image.blend(img, Image.effect_noise((width, height), 24).convert("RGB"), 0.08)


def upright_marked(width: int, height: int) -> Image.Image:
    """Blue picture with a red block top-left and a green block top-right: every wrong turn or flip shows."""
    img = Image.new("RGB", (width, height), BLUE)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width // 4, height // 4), fill=RED)
    draw.rectangle((width - width // 4, 0, width, height // 4), fill=GREEN)
    return img


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(orientation: int) -> None:
    upright = upright_marked(2000, 1500)
    method = STORED_FROM_UPRIGHT[orientation]
    stored = upright if method is None else upright.transpose(method)
    data = encode(stored, quality=90, exif=orientation_exif(orientation))
    # Self-check of the fixture: Pillow's own exif_transpose agrees this is the upright picture.
    assert ImageOps.exif_transpose(Image.open(BytesIO(data))).size == (2000, 1500)

    photo = render_photo(data)

    assert (photo.width, photo.height) == (2000, 1500)
    assert photo.format == "JPEG"
    sizes = {"large": (1280, 960), "small": (256, 192)}
    for name, derivative in by_name(photo).items():
        img = open_derivative(derivative)
        assert img.size == sizes[name]
        assert_colour(img, (0.1, 0.1), RED)
        assert_colour(img, (0.9, 0.1), GREEN)
        assert_colour(img, (0.1, 0.9), BLUE)
        assert_colour(img, (0.9, 0.9), BLUE)


def test_rotated_photo_reports_displayed_dimensions() -> None:
    data = encode(photo_like(4000, 3000), quality=90, exif=orientation_exif(6))
    photo = render_photo(data)
    assert (photo.width, photo.height) == (3000, 4000)
    assert [(d.width, d.height) for d in photo.derivatives] == [(192, 256), (960, 1280)]


@pytest.mark.parametrize(
    ("size", "large", "small"),
    [
        ((4000, 3000), (1280, 960), (256, 192)),
        ((3000, 4000), (960, 1280), (192, 256)),
        ((1280, 1280), (1280, 1280), (256, 256)),
        ((300, 200), (300, 200), (256, 171)),
        ((100, 50), (100, 50), (100, 50)),
        ((1, 1), (1, 1), (1, 1)),
        ((5000, 10), (1280, 3), (256, 1)),
        ((1, 100_000), (1, 1280), (1, 256)),
        ((100_000, 1), (1280, 1), (256, 1)),
    ],
)
def test_sizes_fit_the_spec_without_upscaling(
    size: tuple[int, int], large: tuple[int, int], small: tuple[int, int]
) -> None:
    fmt = "JPEG" if max(size) <= 65_000 else "PNG"
    data = encode(Image.new("RGB", size, (90, 120, 150)), fmt)
    photo = render_photo(data)
    assert (photo.width, photo.height) == size
    got = {name: (d.width, d.height) for name, d in by_name(photo).items()}
    assert got == {"large": large, "small": small}
    for derivative in by_name(photo).values():
        img = open_derivative(derivative)
        assert max(img.size) == min(derivative.spec.max_side, max(size))


def test_output_formats_follow_the_specs_and_order() -> None:
    photo = render_photo(encode(photo_like(800, 600)))
    assert [d.spec for d in photo.derivatives] == list(THUMBNAIL_SPECS)
    derivatives = by_name(photo)
    assert open_derivative(derivatives["small"]).format == SMALL.format == "WEBP"
    assert open_derivative(derivatives["large"]).format == LARGE.format == "JPEG"
    # Specs given largest-first are answered in the order given, too.
    assert [d.spec for d in render_photo(encode(photo_like(800, 600)), (LARGE, SMALL)).derivatives] == [LARGE, SMALL]
    assert render_photo(encode(photo_like(800, 600)), ()).derivatives == ()


def test_progressive_and_multi_picture_jpegs() -> None:
    picture = photo_like(2000, 1500)
    progressive = render_photo(encode(picture, quality=90, progressive=True))
    assert [(d.width, d.height) for d in progressive.derivatives] == [(256, 192), (1280, 960)]
    # Phones often write MPF (a second picture after the first); Pillow calls that "MPO".
    mpo = encode(picture, "MPO", save_all=True, append_images=[photo_like(400, 300)])
    assert Image.open(BytesIO(mpo)).format == "MPO"
    photo = render_photo(mpo)
    assert photo.format == "JPEG" and (photo.width, photo.height) == (2000, 1500)


def test_large_jpeg_uses_420_subsampling() -> None:
    from PIL import JpegImagePlugin

    large = open_derivative(by_name(render_photo(encode(photo_like(2000, 1500))))["large"])
    assert JpegImagePlugin.get_sampling(large) == 2  # 4:2:0


def test_png_alpha_is_flattened_onto_white() -> None:
    img = Image.new("RGBA", (1000, 1000), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((0, 0, 499, 499), fill=(255, 0, 0, 255))
    photo = render_photo(encode(img, "PNG"))
    assert photo.format == "PNG"
    for derivative in photo.derivatives:
        out = open_derivative(derivative)
        assert out.mode == "RGB"
        assert_colour(out, (0.2, 0.2), RED, tol=12)
        assert_colour(out, (0.8, 0.8), WHITE, tol=12)


def test_grey_alpha_png_is_flattened_onto_white() -> None:
    img = Image.new("LA", (600, 400), (0, 0))
    ImageDraw.Draw(img).rectangle((0, 0, 299, 399), fill=(0, 255))
    for derivative in render_photo(encode(img, "PNG")).derivatives:
        out = open_derivative(derivative)
        assert_colour(out, (0.2, 0.5), (0, 0, 0), tol=12)
        assert_colour(out, (0.8, 0.5), WHITE, tol=12)


def test_sixteen_bit_png_keeps_its_tones() -> None:
    gradient = Image.linear_gradient("L").resize((512, 512)).convert("I").point(lambda v: v * 257)
    data = encode(gradient.convert("I;16"), "PNG")
    assert Image.open(BytesIO(data)).mode.startswith("I")  # really a 16-bit file
    for derivative in render_photo(data).derivatives:
        out = open_derivative(derivative).convert("L")
        top, middle, bottom = (out.getpixel((out.width // 2, int(f * (out.height - 1)))) for f in (0.02, 0.5, 0.98))
        assert top < 20 and bottom > 235, (top, bottom)
        assert 100 < middle < 156, middle


def test_opaque_palette_png() -> None:
    opaque = Image.new("RGB", (400, 300), RED).quantize(colors=4)
    assert opaque.mode == "P"
    for derivative in render_photo(encode(opaque, "PNG")).derivatives:
        assert_colour(open_derivative(derivative), (0.5, 0.5), RED, tol=12)


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_png_colour_key_transparency_is_flattened_onto_white(mode: str) -> None:
    img = Image.new(mode, (400, 300), 0)  # black is the transparent colour key
    ImageDraw.Draw(img).rectangle((0, 0, 199, 299), fill=(255, 0, 0) if mode == "RGB" else 100)
    key = (0, 0, 0) if mode == "RGB" else 0
    for derivative in render_photo(encode(img, "PNG", transparency=key)).derivatives:
        out = open_derivative(derivative)
        assert_colour(out, (0.2, 0.5), RED if mode == "RGB" else (100, 100, 100), tol=12)
        assert_colour(out, (0.8, 0.5), WHITE, tol=12)


def test_animated_gif_uses_the_first_frame() -> None:
    frames = [Image.new("RGB", (300, 300), colour) for colour in (RED, BLUE, GREEN)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert getattr(Image.open(BytesIO(data)), "n_frames", 1) == 3
    photo = render_photo(data)
    assert photo.format == "GIF"
    for derivative in photo.derivatives:
        assert_colour(open_derivative(derivative), (0.5, 0.5), RED, tol=12)


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_a_transparent_palette_index_is_flattened_onto_white(fmt: str) -> None:
    img = Image.new("P", (400, 300), 0)
    img.putpalette([0, 0, 255, 255, 0, 0] + [0] * 762)
    ImageDraw.Draw(img).rectangle((0, 0, 199, 299), fill=1)
    for derivative in render_photo(encode(img, fmt, transparency=0)).derivatives:
        out = open_derivative(derivative)
        assert_colour(out, (0.2, 0.5), RED, tol=12)
        assert_colour(out, (0.8, 0.5), WHITE, tol=12)  # the transparent blue index is not blue


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_webp_input(mode: str) -> None:
    img = Image.new(mode, (1600, 900), (255, 0, 0, 255)[: len(mode)])
    photo = render_photo(encode(img, "WEBP", quality=90))
    assert photo.format == "WEBP"
    assert [(d.width, d.height) for d in photo.derivatives] == [(256, 144), (1280, 720)]
    for derivative in photo.derivatives:
        assert_colour(open_derivative(derivative), (0.5, 0.5), RED, tol=12)


@pytest.mark.parametrize(
    ("mode", "colour"),
    [("CMYK", (0, 255, 255, 0)), ("L", 128), ("1", 1)],
)
def test_other_modes_become_rgb(mode: str, colour: object) -> None:
    img = Image.new(mode, (900, 600), colour)  # type: ignore[arg-type]
    fmt = "PNG" if mode == "1" else "JPEG"
    expected = {"CMYK": RED, "L": (128, 128, 128), "1": WHITE}[mode]
    for derivative in render_photo(encode(img, fmt)).derivatives:
        out = open_derivative(derivative)
        assert out.mode == "RGB"
        assert_colour(out, (0.5, 0.5), expected, tol=20)


def test_derivatives_carry_no_metadata() -> None:
    exif = orientation_exif(6)
    exif[0x010F] = "Canon"
    exif[0x8825] = {  # GPSInfo IFD
        1: "N",
        2: (IFDRational(48, 1), IFDRational(51, 1), IFDRational(2442, 100)),
        3: "E",
        4: (IFDRational(2, 1), IFDRational(21, 1), IFDRational(1566, 100)),
    }
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = encode(photo_like(1600, 1200), quality=90, exif=exif, comment=b"secret comment", xmp=xmp)
    original = Image.open(BytesIO(data))
    assert original.getexif().get_ifd(0x8825)  # the input really has GPS

    photo = render_photo(data)

    assert photo.exif.get(0x010F) == "Canon"  # kept for metadata extraction...
    for derivative in photo.derivatives:  # ...but never published
        out = open_derivative(derivative)
        assert dict(out.getexif()) == {}
        assert not out.getexif().get_ifd(0x8825)
        assert not {"exif", "comment", "xmp", "XML:com.adobe.xmp"} & set(out.info)
        assert b"secret comment" not in derivative.data
        assert b"Exif\x00\x00" not in derivative.data


def test_rgb_icc_profile_is_kept_and_nothing_else() -> None:
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(photo_like(800, 600), quality=90, icc_profile=icc)
    for derivative in render_photo(data).derivatives:
        assert open_derivative(derivative).info.get("icc_profile") == icc


def png_header(width: int, height: int) -> bytes:
    """A PNG claiming the given size whose pixel data stops after a few bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))


def small_jpeg() -> bytes:
    """A real JPEG, big enough to cut in half."""
    return encode(photo_like(640, 480), quality=90)


def broken_png_data() -> bytes:
    """A whole PNG whose compressed pixel data is garbage (its zlib header byte flipped)."""
    data = bytearray(encode(photo_like(200, 150), "PNG"))
    data[data.index(b"IDAT") + 4] ^= 0xFF
    return bytes(data)


def av1_heif_without_avif_brand() -> bytes:
    """A HEIF file holding an AV1 picture that does not call itself AVIF: only the HEIC opener takes it."""
    avif = encode(photo_like(64, 48), "AVIF")
    return without_compatible_brand(with_major_brand(avif, b"mif1"), b"avif")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\x00" * 4096, "not a readable image"),
        (random.Random(7).randbytes(20_000), "not a readable image"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", "not a readable image"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "not a readable"),
        (b"BM" + b"\x00" * 100, "not a readable image"),  # BMP: Pillow could, Photoshare does not
        (small_jpeg()[: len(small_jpeg()) // 2], "the file is truncated"),
        (small_jpeg()[:200], "the file is truncated"),
        (png_header(640, 480), "the file is truncated"),
        (broken_png_data(), "the image data is corrupt"),
        (av1_heif_without_avif_brand(), "compressed with AV1, a codec this service cannot decode"),
        (png_header(12_000, 10_000), "image is 12000×10000, over the 100 MP limit"),
        (png_header(50_000, 50_000), "image is over the 100 MP limit"),  # Pillow's bomb guard trips first
    ],
    ids=[
        "empty",
        "zeros",
        "random",
        "pdf",
        "svg",
        "bmp",
        "truncated-half",
        "truncated-header",
        "png-no-data",
        "png-broken-data",
        "heif-av1-unbranded",
        "over-limit",
        "bomb",
    ],
)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # 120 MP > Pillow's 89 MP warning
def test_undecodable_input_raises_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UndecodableImage) as caught:
        render_photo(data)
    assert reason in str(caught.value)
    assert len(str(caught.value)) < 80


def test_max_pixels_is_configurable() -> None:
    data = encode(Image.new("RGB", (2000, 1000)), "PNG")
    with pytest.raises(UndecodableImage, match=r"image is 2000×1000, over the 1 MP limit"):
        render_photo(data, max_pixels=1_000_000)
    assert render_photo(data, max_pixels=2_000_000).width == 2000


def test_corrupted_files_never_leak_pillow_exceptions() -> None:
    rng = random.Random(42)
    sources = [
        small_jpeg(),
        encode(photo_like(200, 150).convert("RGBA"), "PNG"),
        encode(photo_like(200, 150), "GIF"),
        encode(photo_like(200, 150), "WEBP"),
    ]
    for source in sources:
        for _ in range(25):
            data = bytearray(source)
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            cut = bytes(data[: rng.randint(1, len(data))] if rng.random() < 0.3 else data)
            try:
                render_photo(cut)
            except UndecodableImage as exc:
                assert str(exc)


@pytest.fixture(scope="module")
def big_photo() -> Image.Image:
    """A 4000x3000 photo-like picture (built once: it takes a moment)."""
    return photo_like(4000, 3000)


@pytest.mark.parametrize("orientation", [1, 6])
def test_large_derivative_matches_a_full_quality_reference(big_photo: Image.Image, orientation: int) -> None:
    method = STORED_FROM_UPRIGHT[orientation]
    stored = big_photo if method is None else big_photo.transpose(method)
    data = encode(stored, quality=90, exif=orientation_exif(orientation))

    large = open_derivative(by_name(render_photo(data))["large"])

    full = ImageOps.exif_transpose(Image.open(BytesIO(data)))
    reference = full.resize(large.size, Image.Resampling.LANCZOS)
    assert large.size == (1280, 960)
    quality = psnr(large, reference)
    assert quality >= 35
    # The encoder alone (same settings, perfect input) loses this much; the draft/reduce
    # shortcuts may add only a little on top (a nearest-neighbour downscale costs ~2 dB here).
    encoder_only = Image.open(BytesIO(encode(reference, quality=LARGE.quality, subsampling="4:2:0")))
    assert quality >= psnr(encoder_only, reference) - 0.5


def test_the_average_colour_is_that_of_the_picture():
    from io import BytesIO as _BytesIO

    out = _BytesIO()
    Image.new("RGB", (400, 300), (200, 40, 10)).save(out, "PNG")
    colour = render_photo(out.getvalue()).average_color
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    assert colour.startswith("#") and len(colour) == 7
    assert abs(red - 200) <= 3 and abs(green - 40) <= 3 and abs(blue - 10) <= 3


def test_each_derivative_is_handed_over_as_soon_as_it_is_encoded():
    """The worker stores the large thumbnail while the small one is being made."""
    seen: list = []
    photo = render_photo(encode(photo_like(2000, 1500)), (SMALL, LARGE), on_derivative=seen.append)
    assert [d.spec for d in seen] == [LARGE, SMALL]  # biggest first, whatever order was asked for
    assert sorted(map(id, seen)) == sorted(map(id, photo.derivatives))
