"""Resizing a decoded photo for its derivatives as YCbCr planes, chroma at half size (pure, no I/O).

Both outputs are 4:2:0 (JPEG q85, lossy WebP): each encoder keeps one chroma sample per 2x2 block.
So luma is resized to the target and chroma only to half of it, a quarter of the work, and chroma is
pixel-doubled back just before encoding, which the encoder's 2x2 averaging undoes exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from photoshare_worker.modes import flatten, resizable

Box = tuple[float, float, float, float]
# JFIF's YCbCr -> RGB, as libjpeg decodes it, applied to Y, Cb, Cr planes merged as "RGB": unlike
# convert("RGB") from YCbCr, which floors (on average 0.3 levels darker), it rounds.
_YCBCR_TO_RGB = (1, 0, 1.402, -179.456, 1, -0.344136, -0.714136, 135.458816, 1, 1.772, 0, -226.816)
# Chroma often shrinks more than 2x (e.g. 1500 -> 640): box-reduce it by 2 first, which halves its
# cost for 0.1-0.25 dB of RGB PSNR on the bench's and the tests' photos (luma is unaffected).
_CHROMA_REDUCING_GAP = 1.0


@dataclass(frozen=True)
class Planes:
    """A picture as separate Y, Cb and Cr images; chroma is full size or half the luma's size."""

    luma: Image.Image
    blue: Image.Image
    red: Image.Image
    chroma_scale: float  # chroma pixels per luma pixel: 1.0 or 0.5

    @property
    def size(self) -> tuple[int, int]:
        """The picture's size (the luma's)."""
        return self.luma.size

    @property
    def all(self) -> tuple[Image.Image, Image.Image, Image.Image]:
        """Y, Cb and Cr."""
        return self.luma, self.blue, self.red


def to_planes(img: Image.Image, size: tuple[int, int], box: Box) -> tuple[Planes, Box]:
    """img as planes, box-reduced by the largest integer factor that still covers `size`; and its box.

    A full-size decode (PNG, WebP, GIF: no DCT scaling) is mostly reduced here, which keeps the
    colour conversion and all after it small. Transparency is flattened (modes.flatten).
    """
    img = resizable(img)
    factor = int(min((box[2] - box[0]) / size[0], (box[3] - box[1]) / size[1]))
    if factor >= 2:
        img = img.reduce(factor)  # averages premultiplied colour for RGBA/LA
        box = (box[0] / factor, box[1] / factor, box[2] / factor, box[3] / factor)
    if img.mode == "YCbCr":  # straight from the JPEG decoder
        luma, blue, red = (img.getchannel(band) for band in range(3))  # split() is ~5x slower here
        return Planes(luma, blue, red, 1.0), box
    rgb = flatten(img)
    if rgb.mode != "RGB":
        rgb = rgb.convert("RGB")  # (converting RGB to RGB would copy it)
    # convert("L") is JPEG's luma and several times faster than convert("YCbCr"), which then only
    # runs on the quarter-size picture the chroma needs.
    chroma = rgb.reduce(2).convert("YCbCr")
    return Planes(rgb.convert("L"), chroma.getchannel(1), chroma.getchannel(2), 0.5), box


def resize_planes(
    planes: Planes,
    size: tuple[int, int],
    box: Box,
    resample: Image.Resampling,
    *,
    reducing_gap: float | None = None,
    transpose: Image.Transpose | None = None,
) -> Planes:
    """The `box` region (luma pixels) resized to `size`, chroma to half of it, then transposed."""
    if planes.size == size and box == (0, 0, *size):
        if transpose is None:
            return planes
        return Planes(*(plane.transpose(transpose) for plane in planes.all), planes.chroma_scale)
    half = (-(-size[0] // 2), -(-size[1] // 2))
    scale = planes.chroma_scale
    chroma_box = (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)
    resized = [
        planes.luma.resize(size, resample, box=box, reducing_gap=reducing_gap),
        planes.blue.resize(half, resample, box=chroma_box, reducing_gap=_CHROMA_REDUCING_GAP),
        planes.red.resize(half, resample, box=chroma_box, reducing_gap=_CHROMA_REDUCING_GAP),
    ]
    if transpose is not None:
        # Transposing before any doubling keeps chroma's 2x2 blocks where the encoder puts its own.
        resized = [plane.transpose(transpose) for plane in resized]
    return Planes(*resized, 0.5)


def to_image(planes: Planes) -> Image.Image:
    """The planes as one YCbCr image, half-size chroma pixel-doubled (for the JPEG encoder)."""
    return Image.merge("YCbCr", _full_size(planes))


def to_rgb(planes: Planes) -> Image.Image:
    """The planes as an RGB image, half-size chroma pixel-doubled (for the other encoders)."""
    return Image.merge("RGB", _full_size(planes)).convert("RGB", _YCBCR_TO_RGB)


def _full_size(planes: Planes) -> list[Image.Image]:
    """Y, Cb and Cr all at the luma's size."""
    chroma = [planes.blue, planes.red]
    if planes.chroma_scale != 1.0:
        width, height = planes.size
        doubled = (0, 0, width / 2, height / 2)  # output pixel x reads chroma pixel x // 2
        chroma = [plane.resize(planes.size, Image.Resampling.NEAREST, box=doubled) for plane in chroma]
    return [planes.luma, *chroma]


def average_color(img: Image.Image) -> str:
    """The mean colour of an image (best the smallest derivative: cheap) as "#rrggbb"."""
    mean = flatten(resizable(img)).resize((1, 1), Image.Resampling.BOX)
    red, green, blue = mean.convert("RGB").getpixel((0, 0))
    return f"#{red:02x}{green:02x}{blue:02x}"
