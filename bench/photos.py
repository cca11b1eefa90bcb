"""Camera-like test photos made here (nothing downloaded): a landscape with sky, hills, buildings,
foliage texture and sensor noise, and the EXIF a camera writes (Make, Model, Orientation 6...).

Deterministic for a given seed and size except for Pillow's noise generator (seeded by libc).
"""

from __future__ import annotations

import random
from io import BytesIO

from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter

CAMERA = {"make": "Canon", "model": "Canon EOS R6", "lens": "RF24-105mm F4 L IS USM"}


def scene(width: int, height: int, *, seed: int = 1) -> Image.Image:
    """A stored (landscape) RGB frame with smooth areas, hard edges, fine texture and mild noise."""
    rnd = random.Random(seed)
    # Sky: a vertical gradient from deep blue to a hazy horizon, plus a soft sun glow.
    ramp = Image.linear_gradient("L").resize((width, height), Image.Resampling.BILINEAR)
    top, horizon = (38, 92, 170), (214, 226, 238)
    sky = Image.merge(
        "RGB",
        [ramp.point(lambda v, a=a, b=b: a + (b - a) * v // 255) for a, b in zip(top, horizon, strict=True)],
    )
    glow = Image.radial_gradient("L").resize((width // 2, width // 2), Image.Resampling.BILINEAR)
    glow = ImageChops.invert(glow).point(lambda v: max(0, v - 90))
    sun_layer = Image.new("L", (width, height), 0)
    sun_layer.paste(glow, (int(width * 0.55), int(-width * 0.05)))
    img = Image.composite(Image.new("RGB", (width, height), (255, 240, 200)), sky, sun_layer)

    draw = ImageDraw.Draw(img)
    # Three ranges of hills, each a jagged random-walk ridge, nearer ones darker and greener.
    for band, colour in enumerate([(92, 110, 140), (60, 96, 74), (42, 80, 40)]):
        base = height * (0.42 + 0.13 * band)
        y, ridge = base, []
        for x in range(0, width + 40, max(8, width // 160)):
            y = min(height, max(height * 0.25, y + rnd.uniform(-1, 1) * height * 0.012))
            ridge.append((x, y))
        draw.polygon([(0, height), *ridge, (width, height)], fill=colour)

    # A village: blocks with roofs and lit windows (hard edges and fine detail).
    for _ in range(18):
        bw, bh = rnd.randint(width // 40, width // 14), rnd.randint(height // 20, height // 8)
        bx, by = rnd.randint(0, width - bw), int(height * rnd.uniform(0.72, 0.9))
        wall = tuple(rnd.randint(150, 235) for _ in range(3))
        draw.rectangle([bx, by - bh, bx + bw, by], fill=wall, outline=(40, 36, 30), width=max(1, width // 1000))
        draw.polygon(
            [(bx - bw // 10, by - bh), (bx + bw // 2, by - bh - bh // 2), (bx + bw + bw // 10, by - bh)],
            fill=(150, 50, 35),
        )
        step = max(6, bw // 6)
        for wx in range(bx + step // 2, bx + bw - step // 2, step):
            for wy in range(by - bh + step // 2, by - step // 2, step):
                draw.rectangle([wx, wy, wx + step // 3, wy + step // 2], fill=(250, 226, 140))
    # Trees: round crowns on trunks.
    for _ in range(40):
        r = rnd.randint(width // 120, width // 40)
        cx, cy = rnd.randint(0, width), int(height * rnd.uniform(0.62, 0.98))
        draw.rectangle([cx - r // 6, cy, cx + r // 6, cy + 2 * r], fill=(70, 50, 30))
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(rnd.randint(20, 60), rnd.randint(70, 120), 30))

    # Foliage/terrain texture: blotchy low-frequency and grainy mid-frequency luminance variation,
    # stronger towards the bottom of the frame (the sky stays smooth, as in real photos).
    blotch = Image.effect_noise((max(1, width // 16), max(1, height // 16)), 40).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    grain = Image.effect_noise((max(1, width // 2), max(1, height // 2)), 40).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    texture = ImageChops.add(blotch, grain, scale=2.0)  # ~128 +- variation
    weight = (
        Image.linear_gradient("L")
        .resize((width, height), Image.Resampling.BILINEAR)
        .point(lambda v: min(255, max(0, v - 80) * 3 // 2))
    )
    flat = Image.new("L", (width, height), 128)
    texture = Image.composite(texture, flat, weight)
    img = ImageChops.add(img, Image.merge("RGB", [texture] * 3), scale=1.0, offset=-128)

    # Lens softness, then mild sensor noise (luma, and a little chroma).
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    luma = Image.effect_noise((width, height), 9)
    chroma = Image.effect_noise((width, height), 2)
    return ImageChops.add(img, Image.merge("RGB", [luma, chroma, luma]), scale=1.0, offset=-128)


def camera_exif(orientation: int = 6) -> Image.Exif:
    """EXIF as a camera writes it: make, model, orientation, exposure, lens, date."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA["make"]
    exif[ExifTags.Base.Model] = CAMERA["model"]
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Software] = "Firmware Version 1.8.1"
    exif[ExifTags.Base.DateTime] = "2026:07:14 18:03:11"
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    ifd[ExifTags.Base.DateTimeOriginal] = "2026:07:14 18:03:11"
    ifd[ExifTags.Base.OffsetTimeOriginal] = "+02:00"
    ifd[ExifTags.Base.ExposureTime] = 1 / 250
    ifd[ExifTags.Base.FNumber] = 5.6
    ifd[ExifTags.Base.ISOSpeedRatings] = 200
    ifd[ExifTags.Base.FocalLength] = 50.0
    ifd[ExifTags.Base.LensModel] = CAMERA["lens"]
    return exif


def encode(img: Image.Image, fmt: str, *, orientation: int = 6, quality: int = 90) -> bytes:
    """The frame as a camera-like file of `fmt` (JPEG 4:2:0 q90 by default) carrying camera EXIF."""
    out = BytesIO()
    exif = camera_exif(orientation).tobytes()
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=quality, subsampling="4:2:0", exif=exif)
    elif fmt == "WEBP":
        img.save(out, "WEBP", quality=quality, exif=exif)
    elif fmt == "PNG":
        img.save(out, "PNG", exif=exif, compress_level=6)
    else:
        raise ValueError(fmt)
    return out.getvalue()


def camera_jpeg(width: int = 4000, height: int = 3000, *, seed: int = 1, quality: int = 90) -> bytes:
    """A camera JPEG (stored landscape, EXIF orientation 6: shown as portrait)."""
    return encode(scene(width, height, seed=seed), "JPEG", quality=quality)


if __name__ == "__main__":  # a quick look: python bench/photos.py out.jpg
    import sys
    import time

    t = time.perf_counter()
    data = camera_jpeg()
    print(f"{len(data) / 1e6:.1f} MB in {time.perf_counter() - t:.1f}s")
    if len(sys.argv) > 1:
        open(sys.argv[1], "wb").write(data)
