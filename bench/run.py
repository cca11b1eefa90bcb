"""`make bench`: make the photos, run every measurement in this one run, print one table.

    uv run python -m bench.run [--quick] [--json PATH]

Each part runs in its own process: derivatives (pinned to one core, VIPS_CONCURRENCY=1), the
local stack (moto server, redis-server, gunicorn, Celery worker), two render loops on the two
cores (the scaling ceiling), and the page cost (moto in process). Environment knobs: BENCH_ROUNDS
(derivative rounds, default 11), BENCH_RUNS (uploads timed to READY, default 7), BENCH_PHOTOS (jobs
in the scaling run, default 40).
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

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
SCALING_GOAL = 1.6  # target 3: concurrency 2 at least this much faster than concurrency 1


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


def _row(target: str, figure: str, reference: str, ratio: float | None, ok: bool | None, goal: str) -> list[str]:
    verdict = {True: "pass", False: "FAIL", None: "info"}[ok]
    return [target, figure, reference, "" if ratio is None else f"{ratio:.2f} ({goal})", verdict]


def table(d: dict[str, Any], s: dict[str, Any], p: dict[str, Any], cores: dict[str, Any]) -> list[list[str]]:
    """The rows: target, figure, reference, ratio (with its goal), verdict."""
    rows = []
    by_file = {i["file"]: i for i in d["inputs"]}
    psnr_floor = 35.0
    for name, label in (("12mp.jpg", "12 MP JPEG"), ("24mp.jpg", "24 MP JPEG")):
        i = by_file[name]
        ms = i["median_ms"]
        vips = min(ms["vips_small_from_large"], ms["vips_two_thumbnails"])
        psnr = min(i["psnr_luma_db"]["pipeline"].values())
        ratio = i["ratio_to_reference"]  # the median of each round's own ratio
        rows.append(
            _row(
                f"1 derivatives {label}",
                f"render_photo {ms['pipeline']:.0f} ms",
                f"pyvips {vips:.0f} ms",
                ratio,
                ratio <= 1.0,
                "<= 1.00",
            )
        )
        rows.append(
            _row(
                f"1 quality {label}",
                f"min luma PSNR {psnr:.1f} dB",
                f"pyvips {min(i['psnr_luma_db']['vips'].values()):.1f} dB",
                psnr / psnr_floor,
                psnr >= psnr_floor,
                ">= 1.00 of 35 dB",
            )
        )
        rows.append(
            _row(
                f"1 naive Pillow {label}",
                f"naive {ms['naive_pillow']:.0f} ms",
                f"render_photo {ms['pipeline']:.0f} ms",
                ms["naive_pillow"] / ms["pipeline"],
                None,
                "speed-up",
            )
        )
    for name, label in (("12mp.png", "12 MP PNG"), ("12mp.webp", "12 MP WebP")):
        i = by_file[name]
        ms = i["median_ms"]
        psnr = min(i["psnr_luma_db"]["pipeline"].values())
        ratio = i["ratio_to_reference"]
        rows.append(
            _row(
                f"1 derivatives {label}",
                f"render_photo {ms['pipeline']:.0f} ms ({psnr:.1f} dB)",
                f"bare decode {ms['bare_decode']:.0f} ms",
                ratio,
                ratio <= 1.25 and psnr >= psnr_floor,
                "<= 1.25",
            )
        )
    if "overhead" in s:
        o = s["overhead"]
        # Each upload against the pipeline's own time measured right after it, in the same spell
        # of the machine: the median of those ratios.
        ratio = o["budget_ratio"]
        rows.append(
            _row(
                "2 upload->READY 12 MP (median)",
                f"{o['upload_to_ready_ms']:.0f} ms",
                f"pipeline {o['pipeline_ms']:.0f} + {o['budget_ms']} ms",
                ratio,
                ratio <= 1.0,
                "<= 1.00",
            )
        )
        rows.append(
            _row(
                "2   of which",
                f"upload {o['upload_request_ms']:.0f} / queue {max(0, o['response_to_start_ms']):.0f}"
                f" / job {o['start_to_ready_ms']:.0f} ms",
                "",
                None,
                None,
                "",
            )
        )
        j = o.get("job_in_process", {})
        if j:
            rows.append(
                _row(
                    "2   job steps (in-process)",
                    # Steps that overlap are named together ("a / b"); a "|" would split the table.
                    f"DDB start {j['ddb_start_processing']:.0f} / S3 get {j['s3_get_original']:.0f},"
                    f" render {j['render_photo']:.0f}, 2 S3 puts {j['s3_put_thumbnails']:.0f},"
                    f" DDB ready {j['ddb_mark_ready']:.0f}; job {j['total']:.0f} ms",
                    "",
                    None,
                    None,
                    "",
                )
            )
        a = o.get("aws", {})
        if a:
            rows.append(
                _row(
                    "2   moto latency",
                    f"S3 get 3 MB {a['s3_get_original_ms']:.0f}, put {a['s3_put_thumbnail_ms']:.0f};"
                    f" DDB update {a['ddb_update_item_ms']:.0f}, get {a['ddb_get_item_ms']:.0f} ms",
                    "",
                    None,
                    None,
                    "",
                )
            )
    if "scaling" in s:
        c = s["scaling"]
        rows.append(
            _row(
                f"3 scaling, {c['photos']} photos",
                f"c1 {c['concurrency_1_s']:.1f} s / c2 {c['concurrency_2_s']:.1f} s = {c['speedup']:.2f}x"
                f" (runs {c['order']}, means)",
                f"{SCALING_GOAL}x",
                c["speedup"] / SCALING_GOAL,
                c["speedup"] >= SCALING_GOAL,
                ">= 1.00",
            )
        )
        cpu = c.get("concurrency_2_cpu_ms_per_job")
        if cpu:
            # With every core busy, c2 can take no less than the CPU all of it needs shared by 2 cores.
            floor_s = sum(cpu.values()) * c["photos"] / 1000 / 2
            rows.append(
                _row(
                    "3   CPU per job at c2",
                    ", ".join(f"{name} {ms:.0f}" for name, ms in cpu.items()) + " ms",
                    f"c1 / ({sum(cpu.values()):.0f} ms x {c['photos']} / 2 cores)",
                    c["concurrency_1_s"] / floor_s,
                    None,
                    "x, the bound here",
                )
            )
    if cores:
        rows.append(
            _row(
                "3   ceiling: renders only",
                f"1 loop {cores['alone_ms']:.0f} ms/photo, 2 loops at once {cores['side_by_side_ms']:.0f} ms each",
                "2 cores",
                cores["throughput"],
                None,
                "x, no AWS/Celery",
            )
        )
    if "uploads" in s:
        u = s["uploads"]
        rows.append(
            _row(
                f"4 web RSS, {u['clients']} x {u['file_mb']:.0f} MB uploads",
                f"+{u['max_growth_mb']:.1f} MB max/process",
                "30 MB",
                u["max_growth_mb"] / 30,
                u["max_growth_mb"] < 30,
                "< 1.00",
            )
        )
        rows.append(
            _row(
                "4 multipart to S3",
                f"{u['multipart_etags']}/{u['clients']} ETags '-N'",
                f"{u['create_multipart_in_moto_log']} CreateMultipartUpload",
                None,
                u["multipart_etags"] == u["clients"],
                "",
            )
        )
    for page in ("page_1", "page_50"):
        pg = p[page]
        calls = pg["calls"]
        q, scans = calls.get("dynamodb.Query", 0), calls.get("dynamodb.Scan", 0)
        s3 = sum(n for k, n in calls.items() if k.startswith("s3."))
        other = sum(calls.values()) - q - scans - s3
        ok = (q, scans, s3, other) == (1, 0, 0, 0)
        rows.append(
            _row(
                f"5 gallery {page.replace('_', ' ')} of {p['photos']:,}",
                f"{q} Query, {scans} Scan, {s3} S3; p50 {pg['p50_ms']:.0f} ms",
                f"1/0/0 (app {pg['p50_app_ms']:.0f} ms + moto {pg['p50_in_aws_calls_ms']:.0f})",
                None,
                ok,
                "",
            )
        )
    return rows


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
    rows = table(d, s, p, c)
    print(f"\nPhotoshare bench — {machine()} — {time.monotonic() - started:.0f}s\n")
    print(render(rows))
    if args.json:
        args.json.write_text(
            json.dumps({"machine": machine(), "derivatives": d, "stack": s, "cores": c, "pages": p}, indent=1)
        )
    sys.exit(0)


if __name__ == "__main__":
    main()
