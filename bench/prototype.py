"""Try resize variants of the worker's pipeline without touching product code (a measurement aid).

`python -m bench.prototype PHOTO...` runs render_photo as shipped and with the filter of its first
resize swapped for variants, pinned to one core, and prints the median time and
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

_ORIGINAL_RESIZE = imaging.resize_planes

# Variants of the FIRST resize (from the decoded planes to the large size); the second, small-
# from-large step stays as shipped (LANCZOS, reducing_gap 2.0: ~3 ms, and it keeps the small sharp).
VARIANTS: dict[str, Image.Resampling | None] = {
    "shipped (LANCZOS)": None,
    "first BICUBIC": Image.Resampling.BICUBIC,
    "first HAMMING": Image.Resampling.HAMMING,
    "first BILINEAR": Image.Resampling.BILINEAR,
}


def _patched(resample: Image.Resampling):
    def resize_planes(planes, size, box, _resample, **options):
        if max(size) > 256:  # the first step (decode -> large); not small-from-large
            return _ORIGINAL_RESIZE(planes, size, box, resample, **options)
        return _ORIGINAL_RESIZE(planes, size, box, _resample, **options)

    return resize_planes


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
            resize = _ORIGINAL_RESIZE if variant is None else _patched(variant)

            def run(d: bytes, resize=resize) -> derivatives.Outputs:
                imaging.resize_planes = resize
                try:
                    return derivatives.pipeline(d)
                finally:
                    imaging.resize_planes = _ORIGINAL_RESIZE

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
