"""`make bench`: make the photos, run every measurement in this one run, print one table.

    uv run python -m bench.run [--quick] [--json PATH]

Each part runs in its own process: derivatives (pinned to one core, VIPS_CONCURRENCY=1), the
local stack (moto server, redis-server, gunicorn, Celery worker), two render loops on the two
cores (the scaling ceiling), the page cost (moto in process), and direct uploads (a stack of
its own). Environment knobs: BENCH_ROUNDS (derivative rounds, default 11), BENCH_RUNS (uploads
timed to READY, default 7), BENCH_PHOTOS (jobs in the scaling run, default 40).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

from bench import photos
from bench.targets import table

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def make_inputs(work: Path) -> dict[str, Path]:
    """The photos every part uses (camera-like content, EXIF Make/Model/Orientation 6)."""
    paths = {name: work / name for name in ("12mp.jpg", "24mp.jpg", "12mp.png", "12mp.webp", "20mb.jpg")}
    frame = photos.scene(4000, 3000, seed=1)
    paths["12mp.jpg"].write_bytes(photos.encode(frame, "JPEG"))
    paths["12mp.png"].write_bytes(photos.encode(frame, "PNG"))
    paths["12mp.webp"].write_bytes(photos.encode(frame, "WEBP"))
    big = photos.scene(6000, 4000, seed=2)
    paths["24mp.jpg"].write_bytes(photos.encode(big, "JPEG"))
    # ~20 MB: the 24 MP frame at the quality of a camera's "extra fine" JPEG (4:4:4).
    out = BytesIO()
    big.save(out, "JPEG", quality=96, subsampling="4:4:4", exif=photos.camera_exif().tobytes())
    paths["20mb.jpg"].write_bytes(out.getvalue())
    return paths


def run_part(module: str, args: list[str], out: Path) -> dict[str, Any]:
    """Run `python -m bench.<module>` from the repository root; its JSON result."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args, "--out", str(out)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"  {module}: {time.monotonic() - started:.0f}s", file=sys.stderr)
    return json.loads(out.read_text())


def render(rows: list[list[str]]) -> str:
    head = ["target", "figure", "reference", "ratio (goal)", "result"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{cpu}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run, not figures)")
    parser.add_argument("--json", type=Path, help="also write every raw figure here")
    args = parser.parse_args()
    rounds = os.environ.get("BENCH_ROUNDS", "3" if args.quick else "11")
    runs = os.environ.get("BENCH_RUNS", "3" if args.quick else "7")
    count = os.environ.get("BENCH_PHOTOS", "12" if args.quick else "40")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="photoshare-bench-") as tmp:
        work = Path(tmp)
        print(f"bench on {machine()}; making photos in {work}", file=sys.stderr)
        inputs = make_inputs(work)
        print(
            f"  photos: {', '.join(f'{n} {p.stat().st_size / MB:.1f} MB' for n, p in inputs.items())}", file=sys.stderr
        )
        d = run_part(
            "derivatives",
            [str(inputs[n]) for n in ("12mp.jpg", "24mp.jpg", "12mp.png", "12mp.webp")] + ["--rounds", rounds],
            work / "derivatives.json",
        )
        s = run_part(
            "stack",
            ["--photo", str(inputs["12mp.jpg"]), "--big", str(inputs["20mb.jpg"]), "--runs", runs, "--photos", count],
            work / "stack.json",
        )
        c = run_part("cores", [str(inputs["12mp.jpg"]), "--rounds", "2" if args.quick else "3"], work / "cores.json")
        p = run_part("pages", ["--runs", "3" if args.quick else "9"], work / "pages.json")
        direct = run_part(
            "direct",
            ["--photo", str(inputs["12mp.jpg"]), "--photos", "10" if args.quick else "100"],
            work / "direct.json",
        )
    rows = table({"derivatives": d, "stack": s, "cores": c, "pages": p, "direct": direct})
    print(f"\nPhotoshare bench — {machine()} — {time.monotonic() - started:.0f}s\n")
    print(render(rows))
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": machine(), "derivatives": d, "stack": s, "cores": c, "pages": p, "direct": direct},
                indent=1,
            )
        )
    sys.exit(0)


if __name__ == "__main__":
    main()
