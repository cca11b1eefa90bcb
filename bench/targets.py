"""The bench's targets as data: each one's goal, its line in bench/README.md, and its table rows.

`make bench` builds its table from TARGETS, and bench/README.md carries the table that
`python -m bench.targets` prints (a unit test keeps the two the same), so a goal is written once.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Figures = dict[str, Any]  # every part's JSON result, by part name: derivatives, stack, cores, pages, direct
Row = list[str]  # target, figure, reference, ratio (goal), result


@dataclass(frozen=True)
class Goal:
    """A bar a figure must clear, such as `<= 1.00`."""

    op: str
    limit: float

    def met(self, value: float) -> bool:
        return {"<=": operator.le, ">=": operator.ge, "<": operator.lt}[self.op](value, self.limit)

    def __str__(self) -> str:
        return f"{self.op} {self.limit:.2f}"


JPEG_VS_PYVIPS = Goal("<=", 1.00)  # render_photo's time / pyvips' for the same two thumbnails
DECODE_BOUND = Goal("<=", 1.25)  # PNG and WebP (no shrink-on-load): render_photo / Pillow's bare decode
PSNR_FLOOR_DB = 35.0  # luma PSNR of every thumbnail against a full-resolution LANCZOS reference
QUEUE_OVERHEAD_BUDGET_MS = 80  # upload->READY within the pipeline's own time + this
WITHIN_BUDGET = Goal("<=", 1.00)
SCALING_GOAL = 1.6  # concurrency 2 at least this much faster than concurrency 1
RSS_GROWTH_LIMIT_MB = 30  # per gunicorn worker while 8 clients upload 20 MB each
PAGE_COST = (1, 0, 0)  # DynamoDB Queries, Scans and S3 requests of one gallery page
RESUME_GOAL = Goal("<=", 1.10)  # bytes sent in all / file, for 20 MB cut at 60 % and resumed
WEB_BYTES_SHARE = Goal("<", 0.01)  # request body bytes the web receives per direct upload / the photo


def row(target: str, figure: str, reference: str, ratio: float | None, ok: bool | None, goal: str) -> Row:
    verdict = {True: "pass", False: "FAIL", None: "info"}[ok]
    return [target, figure, reference, "" if ratio is None else f"{ratio:.2f} ({goal})", verdict]


@dataclass(frozen=True)
class Target:
    """One numbered target: what it promises (README) and how its rows are built from the figures."""

    number: int
    title: str
    goal: str
    rows: Callable[[Figures], list[Row]]


def _derivative_rows(f: Figures) -> list[Row]:
    rows = []
    by_file = {i["file"]: i for i in f["derivatives"]["inputs"]}
    for name, label in (("12mp.jpg", "12 MP JPEG"), ("24mp.jpg", "24 MP JPEG")):
        i = by_file[name]
        ms = i["median_ms"]
        vips = min(ms["vips_small_from_large"], ms["vips_two_thumbnails"])
        psnr = min(i["psnr_luma_db"]["pipeline"].values())
        ratio = i["ratio_to_reference"]  # the median of each round's own ratio
        rows += [
            row(
                f"1 derivatives {label}",
                f"render_photo {ms['pipeline']:.0f} ms",
                f"pyvips {vips:.0f} ms",
                ratio,
                JPEG_VS_PYVIPS.met(ratio),
                str(JPEG_VS_PYVIPS),
            ),
            row(
                f"1 quality {label}",
                f"min luma PSNR {psnr:.1f} dB",
                f"pyvips {min(i['psnr_luma_db']['vips'].values()):.1f} dB",
                psnr / PSNR_FLOOR_DB,
                psnr >= PSNR_FLOOR_DB,
                f">= 1.00 of {PSNR_FLOOR_DB:.0f} dB",
            ),
            row(
                f"1 naive Pillow {label}",
                f"naive {ms['naive_pillow']:.0f} ms",
                f"render_photo {ms['pipeline']:.0f} ms",
                ms["naive_pillow"] / ms["pipeline"],
                None,
                "speed-up",
            ),
        ]
    for name, label in (("12mp.png", "12 MP PNG"), ("12mp.webp", "12 MP WebP")):
        i = by_file[name]
        ms = i["median_ms"]
        psnr = min(i["psnr_luma_db"]["pipeline"].values())
        ratio = i["ratio_to_reference"]
        rows.append(
            row(
                f"1 derivatives {label}",
                f"render_photo {ms['pipeline']:.0f} ms ({psnr:.1f} dB)",
                f"bare decode {ms['bare_decode']:.0f} ms",
                ratio,
                DECODE_BOUND.met(ratio) and psnr >= PSNR_FLOOR_DB,
                str(DECODE_BOUND),
            )
        )
    return rows


def _overhead_rows(f: Figures) -> list[Row]:
    if "overhead" not in f["stack"]:
        return []
    o = f["stack"]["overhead"]
    # Each upload against the pipeline's own time measured right after it, in the same spell
    # of the machine: the median of those ratios.
    ratio = o["budget_ratio"]
    rows = [
        row(
            "2 upload->READY 12 MP (median)",
            f"{o['upload_to_ready_ms']:.0f} ms",
            f"pipeline {o['pipeline_ms']:.0f} + {o['budget_ms']} ms",
            ratio,
            WITHIN_BUDGET.met(ratio),
            str(WITHIN_BUDGET),
        ),
        row(
            "2   of which",
            f"upload {o['upload_request_ms']:.0f} / queue {max(0, o['response_to_start_ms']):.0f}"
            f" / job {o['start_to_ready_ms']:.0f} ms",
            "",
            None,
            None,
            "",
        ),
    ]
    if j := o.get("job_in_process", {}):
        rows.append(
            row(
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
    if a := o.get("aws", {}):
        rows.append(
            row(
                "2   moto latency",
                f"S3 get 3 MB {a['s3_get_original_ms']:.0f}, put {a['s3_put_thumbnail_ms']:.0f};"
                f" DDB update {a['ddb_update_item_ms']:.0f}, get {a['ddb_get_item_ms']:.0f} ms",
                "",
                None,
                None,
                "",
            )
        )
    return rows


def _scaling_rows(f: Figures) -> list[Row]:
    rows = []
    if "scaling" in f["stack"]:
        c = f["stack"]["scaling"]
        rows.append(
            row(
                f"3 scaling, {c['photos']} photos",
                f"c1 {c['concurrency_1_s']:.1f} s / c2 {c['concurrency_2_s']:.1f} s = {c['speedup']:.2f}x"
                f" (runs {c['order']}, means)",
                f"{SCALING_GOAL}x",
                c["speedup"] / SCALING_GOAL,
                c["speedup"] >= SCALING_GOAL,
                ">= 1.00",
            )
        )
        if cpu := c.get("concurrency_2_cpu_ms_per_job"):
            # With every core busy, c2 can take no less than the CPU all of it needs shared by 2 cores.
            floor_s = sum(cpu.values()) * c["photos"] / 1000 / 2
            rows.append(
                row(
                    "3   CPU per job at c2",
                    ", ".join(f"{name} {ms:.0f}" for name, ms in cpu.items()) + " ms",
                    f"c1 / ({sum(cpu.values()):.0f} ms x {c['photos']} / 2 cores)",
                    c["concurrency_1_s"] / floor_s,
                    None,
                    "x, the bound here",
                )
            )
    if cores := f["cores"]:
        rows.append(
            row(
                "3   ceiling: renders only",
                f"1 loop {cores['alone_ms']:.0f} ms/photo, 2 loops at once {cores['side_by_side_ms']:.0f} ms each",
                "2 cores",
                cores["throughput"],
                None,
                "x, no AWS/Celery",
            )
        )
    return rows


def _upload_rows(f: Figures) -> list[Row]:
    if "uploads" not in f["stack"]:
        return []
    u = f["stack"]["uploads"]
    return [
        row(
            f"4 web RSS, {u['clients']} x {u['file_mb']:.0f} MB uploads",
            f"+{u['max_growth_mb']:.1f} MB max/process",
            f"{RSS_GROWTH_LIMIT_MB} MB",
            u["max_growth_mb"] / RSS_GROWTH_LIMIT_MB,
            u["max_growth_mb"] < RSS_GROWTH_LIMIT_MB,
            "< 1.00",
        ),
        row(
            "4 multipart to S3",
            f"{u['multipart_etags']}/{u['clients']} ETags '-N'",
            f"{u['create_multipart_in_moto_log']} CreateMultipartUpload",
            None,
            u["multipart_etags"] == u["clients"],
            "",
        ),
    ]


def _page_rows(f: Figures) -> list[Row]:
    p = f["pages"]
    rows = []
    for page in ("page_1", "page_50"):
        pg = p[page]
        calls = pg["calls"]
        q, scans = calls.get("dynamodb.Query", 0), calls.get("dynamodb.Scan", 0)
        s3 = sum(n for k, n in calls.items() if k.startswith("s3."))
        other = sum(calls.values()) - q - scans - s3
        rows.append(
            row(
                f"5 gallery {page.replace('_', ' ')} of {p['photos']:,}",
                f"{q} Query, {scans} Scan, {s3} S3; p50 {pg['p50_ms']:.0f} ms",
                f"{'/'.join(map(str, PAGE_COST))}"
                f" (app {pg['p50_app_ms']:.0f} ms + moto {pg['p50_in_aws_calls_ms']:.0f})",
                None,
                (q, scans, s3, other) == (*PAGE_COST, 0),
                "",
            )
        )
    return rows


def _direct_rows(f: Figures) -> list[Row]:
    bulk, resume = f["direct"]["bulk"], f["direct"]["resume"]
    share = bulk["web_bytes_share_of_photo"]
    return [
        row(
            "6 web bytes per direct upload",
            f"{bulk['web_body_bytes_per_direct_upload']} B of JSON",
            f"photo {bulk['photo_mb']:.1f} MB",
            share,
            WEB_BYTES_SHARE.met(share),
            str(WEB_BYTES_SHARE),
        ),
        row(
            f"6 {bulk['photos']} photos: CLI / POST wall",
            f"{bulk['direct_s']:.1f} s",
            f"{bulk['post_s']:.1f} s",
            bulk["wall_ratio"],
            None,
            "info",
        ),
        row(
            f"6 {bulk['photos']} photos: web CPU / photo",
            f"{bulk['direct_web_cpu_ms_per_photo']:.0f} ms",
            f"{bulk['post_web_cpu_ms_per_photo']:.0f} ms",
            bulk["web_cpu_ratio"],
            None,
            "info",
        ),
        row(
            "6 20 MB cut at 60 %, resumed",
            f"{resume['sent_before_drop_mb'] + resume['sent_on_resume_mb']:.1f} MB sent",
            f"file {resume['file_mb']:.0f} MB",
            resume["ratio"],
            RESUME_GOAL.met(resume["ratio"]),
            str(RESUME_GOAL),
        ),
    ]


TARGETS = (
    Target(
        1,
        "thumbnails at libvips speed",
        f"12 and 24 MP JPEG: `render_photo` / pyvips {JPEG_VS_PYVIPS}; 12 MP PNG and WebP: / bare decode"
        f" {DECODE_BOUND}; every thumbnail ≥ {PSNR_FLOOR_DB:.0f} dB luma PSNR",
        _derivative_rows,
    ),
    Target(
        2,
        "queue overhead",
        f"upload → READY of a 12 MP JPEG / (the pipeline's own time + {QUEUE_OVERHEAD_BUDGET_MS} ms) {WITHIN_BUDGET}",
        _overhead_rows,
    ),
    Target(3, "scaling", f"40 jobs at worker concurrency 2 at least {SCALING_GOAL}× faster than at 1", _scaling_rows),
    Target(
        4,
        "streaming uploads",
        f"8 clients × 20 MB at once: each web process grows < {RSS_GROWTH_LIMIT_MB} MB; every upload multipart to S3",
        _upload_rows,
    ),
    Target(
        5,
        "constant-cost pages",
        "the gallery's 1st and 50th page of 10,000 photos: {} DynamoDB Query, {} Scan, {} S3 requests".format(
            *PAGE_COST
        ),
        _page_rows,
    ),
    Target(
        6,
        "direct uploads",
        f"the web receives JSON only ({WEB_BYTES_SHARE} of the photo); 100 photos by `photoshare upload`"
        " against multipart POST (wall, web CPU: reported); 20 MB cut at 60 % and resumed: bytes sent"
        f" {RESUME_GOAL} × the file",
        _direct_rows,
    ),
)


def table(figures: Figures) -> list[Row]:
    """Every target's rows, in order."""
    return [r for target in TARGETS for r in target.rows(figures)]


def goals_markdown() -> str:
    """The targets table that bench/README.md carries."""
    lines = ["| # | target | goal |", "|---|---|---|"]
    lines += [f"| {t.number} | {t.title} | {t.goal} |" for t in TARGETS]
    return "\n".join(lines)


if __name__ == "__main__":
    print(goals_markdown())
