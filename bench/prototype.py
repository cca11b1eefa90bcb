"""Try resize variants of the worker's pipeline without touching product code (a measurement aid).

`python -m bench.prototype PHOTO...` runs render_photo as shipped and with its `_resize` step
swapped for variants (filter, reducing_gap), pinned to one core, and prints the median time and
the luma PSNR of each output against the full-resolution LANCZOS reference.
"""

from __future__ import annotations

import argparse
import statistics
from io import BytesIO
from pathlib import Path

from PIL import Image

from bench import derivatives
from photoshare_worker import imaging

_ORIGINAL_RESIZE = imaging._resize

# Variants of the FIRST resize (from the decoded image to the large size); the second, small-
# from-large step stays as shipped (LANCZOS, reducing_gap 2.0: ~4 ms, and it keeps the small sharp).
VARIANTS: dict[str, tuple[Image.Resampling, float] | None] = {
    "shipped (LANCZOS, gap 2.0)": None,
    "first LANCZOS, gap 1.0": (Image.Resampling.LANCZOS, 1.0),
    "first BICUBIC, gap 1.0": (Image.Resampling.BICUBIC, 1.0),
    "first HAMMING, gap 1.0": (Image.Resampling.HAMMING, 1.0),
    "first BILINEAR, gap 1.0": (Image.Resampling.BILINEAR, 1.0),
}


def _patched(resample: Image.Resampling, gap: float):
    def _resize(img, size, box):
        if img.size == size and box == (0, 0, *img.size):
            return img
        if max(size) > 256:  # the first step (decode -> large); not small-from-large
            return img.resize(size, resample, box=box, reducing_gap=gap)
        return _ORIGINAL_RESIZE(img, size, box)

    return _resize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("photos", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    derivatives.pin_to_one_core()
    for photo in args.photos:
        data = photo.read_bytes()
        contenders = {}
        for name, variant in VARIANTS.items():
            resize = _ORIGINAL_RESIZE if variant is None else _patched(*variant)

            def run(d: bytes, resize=resize) -> derivatives.Outputs:
                imaging._resize = resize
                try:
                    return derivatives.pipeline(d)
                finally:
                    imaging._resize = _ORIGINAL_RESIZE

            contenders[name] = run
        if Image.open(BytesIO(data)).format == "JPEG":
            contenders["pyvips"] = derivatives.vips_small_from_large
        else:
            contenders["bare decode"] = derivatives.bare_decode
        samples = derivatives.measure(data, contenders, args.rounds)
        print(f"== {photo.name}")
        for name, fn in contenders.items():
            outputs = fn(data)
            q = derivatives.quality(outputs, data) if outputs else {}
            print(f"  {name:28} {statistics.median(samples[name]):7.1f} ms  luma PSNR {q}")


if __name__ == "__main__":
    main()
