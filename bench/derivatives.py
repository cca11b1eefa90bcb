"""Target 1: the worker's thumbnail pipeline against pyvips, naive Pillow and a bare decode.

Run as its own process (`python -m bench.derivatives PHOTO... --out result.json`): it pins itself
to one core and sets VIPS_CONCURRENCY=1 before pyvips is imported, so every contender gets exactly
one core, and tunes malloc as a worker pool process does (photoshare_worker.memory). Contenders
run interleaved (one of each per round) so machine noise hits them alike; the figure is the
median of the timed rounds after one warm-up round.
"""

from __future__ import annotations

import os
import sys

os.environ["VIPS_CONCURRENCY"] = "1"  # before pyvips loads libvips
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from io import BytesIO  # noqa: E402
from pathlib import Path  # noqa: E402

from PIL import Image, ImageChops, ImageOps, ImageStat  # noqa: E402

from bench.report import emit
from photoshare_shared.imageformats import LARGE, SMALL, WEBP_METHOD  # noqa: E402
from photoshare_worker.imaging import render_photo  # noqa: E402
from photoshare_worker.memory import keep_freed_memory  # noqa: E402

Outputs = dict[str, bytes]  # "large" -> JPEG bytes, "small" -> WebP bytes


def pin_to_one_core() -> int:
    """Run this process (and libvips, with concurrency 1) on one core; returns the core."""
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    longest = max(width, height)
    if longest <= max_side:
        return width, height
    return (max(1, round(width * max_side / longest)), max(1, round(height * max_side / longest)))


def pipeline(data: bytes) -> Outputs:
    """The worker's own pipeline, exactly as the task calls it."""
    rendered = render_photo(data)
    return {d.spec.name: d.data for d in rendered.derivatives}


def naive_pillow(data: bytes) -> Outputs:
    """What one writes first: full decode, exif_transpose, LANCZOS from full size for each output."""
    img = ImageOps.exif_transpose(Image.open(BytesIO(data))).convert("RGB")
    out: Outputs = {}
    for spec in (LARGE, SMALL):
        thumb = img.resize(_fit(*img.size, spec.max_side), Image.Resampling.LANCZOS)
        buf = BytesIO()
        thumb.save(buf, spec.format, quality=spec.quality)
        out[spec.name] = buf.getvalue()
    return out


def bare_decode(data: bytes) -> Outputs:
    """Pillow's decode of the whole file and nothing else (the floor for PNG and WebP)."""
    Image.open(BytesIO(data)).load()
    return {}


def _vips():
    import pyvips

    pyvips.cache_set_max(0)  # no operation cache: every round must really decode
    return pyvips


def _vips_save(large, small) -> Outputs:
    return {
        "large": large.jpegsave_buffer(Q=LARGE.quality, keep="none", optimize_coding=False),
        "small": small.webpsave_buffer(Q=SMALL.quality, keep="none", effort=WEBP_METHOD),
    }


def vips_small_from_large(data: bytes) -> Outputs:
    """pyvips: one shrink-on-load thumbnail (autorotated) kept in memory, small made from it."""
    pyvips = _vips()
    large = pyvips.Image.thumbnail_buffer(data, LARGE.max_side, height=LARGE.max_side, size="down").copy_memory()
    small = large.thumbnail_image(SMALL.max_side, height=SMALL.max_side, size="down")
    return _vips_save(large, small)


def vips_two_thumbnails(data: bytes) -> Outputs:
    """pyvips: two shrink-on-load thumbnails (the small one decodes at 1/8 scale)."""
    pyvips = _vips()
    large = pyvips.Image.thumbnail_buffer(data, LARGE.max_side, height=LARGE.max_side, size="down")
    small = pyvips.Image.thumbnail_buffer(data, SMALL.max_side, height=SMALL.max_side, size="down")
    return _vips_save(large, small)


def psnr(output: bytes, reference: Image.Image, mode: str = "L") -> float:
    """PSNR (dB) of a decoded output against the reference resized to its size, on luma ("L",
    the guard: 4:2:0 chroma, which both JPEG q85 and lossy WebP use, caps RGB PSNR of small
    thumbnails near 33-36 dB whatever the resampling) or on all RGB channels."""
    got = Image.open(BytesIO(output)).convert("RGB")
    ref = reference.resize(got.size, Image.Resampling.LANCZOS)
    if mode == "L":
        got, ref = got.convert("L"), ref.convert("L")
    rms = ImageStat.Stat(ImageChops.difference(got, ref)).rms
    mse = sum(r * r for r in rms) / len(rms)
    return math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)


def reference_image(data: bytes) -> Image.Image:
    """Full-resolution decode, upright (ImageOps.exif_transpose): what every output is judged against."""
    return ImageOps.exif_transpose(Image.open(BytesIO(data))).convert("RGB")


def quality(outputs: Outputs, data: bytes, mode: str = "L") -> dict[str, float]:
    """PSNR of each output against the full-resolution reference resized with LANCZOS."""
    reference = reference_image(data)
    return {name: round(psnr(blob, reference, mode), 2) for name, blob in sorted(outputs.items())}


def sizes(outputs: Outputs) -> dict[str, list[int]]:
    """Pixel size of each encoded output."""
    return {name: list(Image.open(BytesIO(blob)).size) for name, blob in sorted(outputs.items())}


def measure(data: bytes, contenders: dict[str, Callable[[bytes], Outputs]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per call of each contender, interleaved round by round, after a warm-up."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for round_no in range(rounds + 1):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn(data)
            elapsed = (time.perf_counter() - start) * 1000
            if round_no:  # round 0 warms caches, allocators and lazy imports
                samples[name].append(elapsed)
    return samples


def run(photo: Path, rounds: int) -> dict[str, object]:
    """Every figure for one input file."""
    data = photo.read_bytes()
    with Image.open(BytesIO(data)) as probe:
        fmt, size = probe.format, probe.size
    if fmt == "JPEG":
        contenders = {
            "pipeline": pipeline,
            "vips_small_from_large": vips_small_from_large,
            "vips_two_thumbnails": vips_two_thumbnails,
            "naive_pillow": naive_pillow,
        }
        references = ["vips_small_from_large", "vips_two_thumbnails"]  # the faster of the two, each round
    else:
        contenders = {"pipeline": pipeline, "bare_decode": bare_decode}
        references = ["bare_decode"]
    samples = measure(data, contenders, rounds)
    # The pipeline against its reference round by round: the machine's speed drifts by up to 20%
    # over seconds here, and each round's contenders run back to back in the same spell of it.
    per_round = [p / min(samples[r][i] for r in references) for i, p in enumerate(samples["pipeline"])]
    result: dict[str, object] = {
        "file": photo.name,
        "format": fmt,
        "size": list(size),
        "bytes": len(data),
        "rounds": rounds,
        "median_ms": {name: round(statistics.median(s), 1) for name, s in samples.items()},
        "ratio_to_reference": round(statistics.median(per_round), 3),
        "samples_ms": {name: [round(x, 1) for x in s] for name, s in samples.items()},
    }
    made = {"pipeline": pipeline(data)}
    if fmt == "JPEG":
        made["vips"] = vips_small_from_large(data)
    result["psnr_luma_db"] = {name: quality(out, data) for name, out in made.items()}
    result["psnr_rgb_db"] = {name: quality(out, data, "RGB") for name, out in made.items()}
    result["output_sizes"] = {name: sizes(out) for name, out in made.items()}
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("photos", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    core = pin_to_one_core()
    # As in every worker pool process: freed memory is kept for the next photo. The setting is the
    # process's malloc, so every contender here runs with it alike.
    keep_freed_memory()
    results = {"core": core, "inputs": [run(p, args.rounds) for p in args.photos]}
    emit(results, args.out)


if __name__ == "__main__":
    sys.exit(main())
