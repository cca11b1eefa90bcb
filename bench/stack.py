"""Targets 2-4 on a real local stack: queue overhead, worker scaling, streaming uploads.

The stack is the one the integration tests run (photoshare_devstack's DevStack): a moto server, a
private redis-server on a free port, gunicorn (2 gthread workers) and one Celery worker. Times of the
item's life come from its own timestamps (created_at/started_at/finished_at, written by the web
and the worker on this same host), so polling granularity does not enter the figures.
"""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
import redis
import requests

from bench.report import emit
from bench.targets import QUEUE_OVERHEAD_BUDGET_MS
from photoshare_devstack import processes
from photoshare_devstack.stack import NO_RATE_LIMITS, DevStack
from photoshare_shared.catalog.item import PARTITION_KEY
from photoshare_shared.catalog.photos import PhotoCatalog
from photoshare_shared.jobqueue import PHOTOS_QUEUE, JobPublisher
from photoshare_shared.keys import new_photo_id, original_key
from photoshare_shared.photo import Photo, utc_now
from photoshare_shared.userpool import ensure_user, new_password
from tests.support.client import ApiClient
from tests.support.images import distinct
from tests.support.waiting import SETTLED, wait_until


def _epoch(stamp: str) -> float:
    """An item timestamp ("2026-11-22T20:24:50.123Z") as seconds since the epoch."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


@dataclass
class Stack:
    """The local stack under measurement (photoshare_devstack's DevStack), as the bench's account sees it."""

    local: DevStack
    api: ApiClient

    def __post_init__(self) -> None:
        self.settings = self.local.settings
        self.s3, self.table = self.local.s3, self.local.table
        self.catalog = PhotoCatalog(self.table)

    def start_worker(self, concurrency: int) -> None:
        """One worker of this concurrency in place of any other."""
        self.local.stop_workers()
        self.local.start_worker(concurrency=concurrency)

    def stop_worker(self) -> None:
        self.local.stop_workers()

    def process(self, name: str) -> subprocess.Popen:
        """The process of the one worker, or of aws, redis or web."""
        if name == "worker":
            (worker,) = self.local.workers.values()
            return worker
        return self.local.procs[name]

    def upload(self, path: Path, name: str = "IMG_0001.jpg") -> dict[str, Any]:
        return self.send_upload(self.api.upload_request(distinct(path.read_bytes()), name))

    def send_upload(self, request: requests.PreparedRequest) -> dict[str, Any]:
        response = self.api.send(request, timeout=120)
        if response.status_code != 202:
            raise RuntimeError(f"upload refused: {response.status_code} {response.text[:200]}")
        return response.json()

    def wait_all_ready(self, photo_ids: list[str], timeout: float = 300) -> list[dict[str, Any]]:
        """Wait until none is pending; their items, all READY (else RuntimeError)."""
        self.wait_settled(photo_ids, timeout)
        return self.ready_items(photo_ids)

    def wait_settled(self, photo_ids: list[str], timeout: float = 300) -> None:
        """Poll every 0.2 s until none is QUEUED or PROCESSING, gently: on 2 cores the poller's own
        requests (and the emulator's work answering them) would take CPU from the stack being
        measured. While jobs wait in the Redis queue, one LLEN tells; then only the photos still
        pending are read (a consistent GetItem of the status alone, ~2-5 ms of emulator CPU)."""
        queue = redis.Redis.from_url(self.settings.redis_url)
        try:
            wait_until(
                photo_ids,
                SETTLED,
                read=self._status,
                timeout=timeout,
                busy=lambda: queue.llen(PHOTOS_QUEUE) > 0,
            )
        finally:
            queue.close()

    def ready_items(self, photo_ids: list[str]) -> list[dict[str, Any]]:
        """The photos' items, read consistently; RuntimeError if any is not READY."""
        items = [self.table.get_item(Key={PARTITION_KEY: pid}, ConsistentRead=True)["Item"] for pid in photo_ids]
        failed = [i for i in items if i["status"] != "READY"]
        if failed:
            raise RuntimeError(f"{len(failed)} photos FAILED: {failed[0].get('error')}")
        return items

    def _status(self, photo_id: str) -> dict[str, Any] | None:
        return self.table.get_item(
            Key={PARTITION_KEY: photo_id},
            ProjectionExpression="#s",
            ExpressionAttributeNames={"#s": "status"},
            ConsistentRead=True,
        ).get("Item")

    def web_workers(self) -> list[psutil.Process]:
        return psutil.Process(self.process("web").pid).children()


@contextmanager
def local_stack(root: Path, web_app: str | None = None) -> Iterator[Stack]:
    """Moto, redis-server and the web on free ports (the worker is started per measurement); `web_app`:
    a bench-only variant of the app (see bench/patched_web.py), served exactly like the real one."""
    local = DevStack.on_free_ports(
        root,
        bucket="photoshare-bench",
        table="photoshare-bench-photos",
        extra_environ=NO_RATE_LIMITS,  # the bench is one client
        redis_appendonly=False,
        web_app=web_app or processes.WEB_APP,
    )
    try:
        local.start(workers=0, beat=False)
        assert local.pool is not None
        password = new_password()  # uploads need an account, signed in through the web
        ensure_user(local.settings, local.pool, username="bench", password=password, email="bench@example.com")
        yield Stack(local, ApiClient.signed_in(local.web_url, "bench", password))
    finally:
        local.close()


def queue_overhead(stack: Stack, photo: Path, runs: int) -> dict[str, Any]:
    """Target 2: sequential uploads of one photo to an idle stack, each timed to READY; after each,
    the pipeline's own time (render_photo on the same file, here) as the reference beside it, so a
    slower or faster spell of the machine moves both alike."""
    from photoshare_worker.imaging import render_photo
    from photoshare_worker.memory import keep_freed_memory

    keep_freed_memory()  # as every worker pool process does at start
    data = photo.read_bytes()
    render_photo(data)  # warm: imports and first allocations
    stack.start_worker(concurrency=1)
    _warm_up(stack, photo)
    rows = []
    for _ in range(runs):
        upload = stack.api.upload_request(distinct(photo.read_bytes()))  # the body is built outside the timings
        t0 = time.time()
        body = stack.send_upload(upload)
        t_response = time.time()
        item = stack.wait_all_ready([body["id"]])[0]
        t_seen = time.time()
        started, finished = _epoch(item["started_at"]), _epoch(item["finished_at"])
        t_render = time.perf_counter()
        render_photo(data)
        pipeline_ms = (time.perf_counter() - t_render) * 1000
        rows.append(
            {
                "pipeline_ms": pipeline_ms,
                "upload_to_ready_ms": (finished - t0) * 1000,
                # Each upload against the pipeline timed right after it: a slow spell of the machine
                # stretches both, so the run's own ratio to the budget cancels it.
                "budget_ratio": (finished - t0) * 1000 / (pipeline_ms + QUEUE_OVERHEAD_BUDGET_MS),
                "upload_to_seen_ms": (t_seen - t0) * 1000,  # includes the 0.2 s polling step
                "upload_request_ms": (t_response - t0) * 1000,
                "response_to_start_ms": (started - t_response) * 1000,  # Redis hand-over + QUEUED->PROCESSING write
                "start_to_ready_ms": (finished - started) * 1000,  # S3 get, render, 2 S3 puts, READY write
            }
        )
        time.sleep(0.3)  # idle again before the next upload
    medians = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    return {key: round(value, 3 if key == "budget_ratio" else 1) for key, value in medians.items()} | {
        "runs": runs,
        "budget_ms": QUEUE_OVERHEAD_BUDGET_MS,
    }


def _warm_up(stack: Stack, photo: Path, tries: int = 10) -> None:
    """Upload until the job and every gunicorn worker have run once: a cold web process imports and
    connects on its first request (~250 ms), and which process takes a request is the kernel's pick."""
    cpu = lambda w: sum(w.cpu_times()[:2])  # noqa: E731
    workers = stack.web_workers()
    idle = {w.pid: cpu(w) for w in workers}
    for _ in range(tries):
        stack.wait_all_ready([stack.upload(photo)["id"]])
        if all(cpu(w) - idle[w.pid] > 0.05 for w in workers):  # an upload costs a process ~0.1 s CPU cold
            return


def aws_latency(stack: Stack, photo: Path, runs: int = 9) -> dict[str, float]:
    """What the job's own AWS requests cost against this moto server (median ms), to explain target 2."""
    data = photo.read_bytes()
    thumb = data[:150_000]
    key, bucket = "bench/probe", stack.settings.bucket
    stack.s3.put_object(Bucket=bucket, Key=key, Body=data)
    item_key = {PARTITION_KEY: "01JPR0BE000000000000000000"}
    stack.table.put_item(Item={**item_key, "status": "QUEUED"})
    probes: dict[str, Callable[[], Any]] = {
        "s3_get_original": lambda: stack.s3.get_object(Bucket=bucket, Key=key)["Body"].read(),
        "s3_put_thumbnail": lambda: stack.s3.put_object(Bucket=bucket, Key=key + "-t", Body=thumb),
        "ddb_update_item": lambda: stack.table.update_item(
            Key=item_key,
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": "PROCESSING"},
        ),
        "ddb_get_item": lambda: stack.table.get_item(Key=item_key, ConsistentRead=True),
    }
    out = {}
    for name, probe in probes.items():
        probe()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            probe()
            times.append((time.perf_counter() - t) * 1000)
        out[name + "_ms"] = round(statistics.median(times), 1)
    return out


def job_anatomy(stack: Stack, photo: Path, runs: int = 5) -> dict[str, float]:
    """The worker's job (run_photo_job) run here, in-process against the same stack, each step timed
    (median ms): where the job's time goes besides render_photo. The original is read while the
    DDB start runs and both thumbnails go up at once, so a step's time is the span of its calls."""
    from photoshare_shared.backends import Backends
    from photoshare_worker import processing
    from photoshare_worker.memory import keep_freed_memory

    keep_freed_memory()  # as every worker pool process does at start
    backends = Backends.from_settings(stack.settings)
    spans: dict[str, list[tuple[float, float]]] = {}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spans.setdefault(name, []).append((t, time.perf_counter()))

        return wrapper

    store, catalog = backends.store, backends.catalog
    store.read_original = timed("s3_get_original", store.read_original)  # type: ignore[method-assign]
    store.put_thumbnail = timed("s3_put_thumbnails", store.put_thumbnail)  # type: ignore[method-assign]
    catalog.start_processing = timed("ddb_start_processing", catalog.start_processing)  # type: ignore[method-assign]
    catalog.mark_ready = timed("ddb_mark_ready", catalog.mark_ready)  # type: ignore[method-assign]
    originals = (processing.render_photo, processing.extract_metadata)
    processing.render_photo = timed("render_photo", processing.render_photo)
    processing.extract_metadata = timed("extract_metadata", processing.extract_metadata)
    rows = []
    try:
        for i, pid in enumerate(_enqueue_batch(stack, photo, runs + 1)):
            spans.clear()
            t = time.perf_counter()
            processing.run_photo_job(pid, store=store, catalog=catalog, settings=backends.settings)
            total = (time.perf_counter() - t) * 1000
            if i:
                steps = {name: (max(e for _, e in s) - min(b for b, _ in s)) * 1000 for name, s in spans.items()}
                rows.append({**steps, "total": total})
    finally:
        processing.render_photo, processing.extract_metadata = originals
    return {key: round(statistics.median(r[key] for r in rows), 1) for key in rows[0]}


def _enqueue_batch(stack: Stack, photo: Path, count: int) -> list[str]:
    """Store `count` originals and QUEUED items as the web does, without publishing yet."""
    data = photo.read_bytes()
    ids = []
    for _ in range(count):
        now = utc_now()
        p = Photo(
            photo_id=new_photo_id(),
            filename="IMG.jpg",
            content_type="image/jpeg",
            size_bytes=len(data),
            created_at=now,
            queued_at=now,
            format="JPEG",
        )
        stack.s3.put_object(Bucket=stack.settings.bucket, Key=original_key(p.photo_id), Body=data)
        stack.catalog.add(photo=p)
        ids.append(p.photo_id)
    return ids


# The machine's speed drifts by up to 20% over seconds: in this order a steady drift favours
# neither concurrency, and going through it twice halves what a slow spell does to one batch.
SCALING_ORDER = (1, 2, 2, 1) * 2


def scaling(stack: Stack, photo: Path, count: int) -> dict[str, Any]:
    """Target 3: `count` jobs published at once; wall time until the last one is READY, with the
    worker at each concurrency of SCALING_ORDER in turn; the speed-up compares the means."""
    publisher = JobPublisher(stack.settings)
    runs: dict[int, list[tuple[float, dict[str, float]]]] = {concurrency: [] for concurrency in SCALING_ORDER}
    for concurrency in SCALING_ORDER:
        runs[concurrency].append(_one_batch(stack, publisher, photo, count, concurrency))
    result: dict[str, Any] = {"photos": count, "order": "-".join(map(str, SCALING_ORDER))}
    for concurrency, timed in runs.items():
        result[f"concurrency_{concurrency}_s"] = round(statistics.mean(elapsed for elapsed, _ in timed), 2)
        result[f"concurrency_{concurrency}_runs_s"] = [round(elapsed, 2) for elapsed, _ in timed]
        result[f"concurrency_{concurrency}_cpu_ms_per_job"] = {
            name: round(statistics.mean(cpu[name] for _, cpu in timed), 1) for name in timed[0][1]
        }
    result["speedup"] = round(result["concurrency_1_s"] / result["concurrency_2_s"], 2)
    return result


def _one_batch(
    stack: Stack, publisher: JobPublisher, photo: Path, count: int, concurrency: int
) -> tuple[float, dict[str, float]]:
    """Seconds from publishing `count` jobs to the last READY, and the CPU ms per job of each process."""
    stack.start_worker(concurrency=concurrency)
    # Warm every pool process (imports, AWS connections) so every run starts equally warm.
    warm = _enqueue_batch(stack, photo, 2 * concurrency)
    for pid in warm:
        publisher.enqueue_photo(photo_id=pid)
    stack.wait_all_ready(warm)
    ids = _enqueue_batch(stack, photo, count)
    cpu_before = _cpu_seconds(stack)
    t0 = time.time()
    for pid in ids:
        publisher.enqueue_photo(photo_id=pid)
    stack.wait_settled(ids, timeout=600)
    cpu_after = _cpu_seconds(stack)  # before reading the items back (bench and emulator CPU)
    elapsed = max(_epoch(i["finished_at"]) for i in stack.ready_items(ids)) - t0
    return elapsed, {name: (cpu_after[name] - cpu_before[name]) / count * 1000 for name in cpu_before}


def _cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time so far of the worker (pool included), the emulator, Redis and this bench process."""
    procs = {"worker": stack.process("worker"), "emulator": stack.process("aws"), "redis": stack.process("redis")}
    seconds = {}
    for name, proc in procs.items():
        tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        seconds[name] = sum(sum(p.cpu_times()[:2]) for p in tree)
    seconds["bench"] = sum(psutil.Process().cpu_times()[:2])
    return seconds


def _status_kb(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def streaming_uploads(stack: Stack, big: Path, warm: Path, clients: int) -> dict[str, Any]:
    """Target 4: RSS of each gunicorn worker while `clients` upload `big` at once; multipart proof."""
    stack.stop_worker()  # the jobs stay queued: only the web's memory is measured here
    with ThreadPoolExecutor(clients) as pool:  # warm both processes' code paths and threads
        list(pool.map(lambda _: stack.upload(warm), range(clients)))
    workers = stack.web_workers()
    for w in workers:
        Path(f"/proc/{w.pid}/clear_refs").write_text("5")  # reset VmHWM (peak RSS) to now
    before = {w.pid: w.memory_info().rss for w in workers}
    peak = dict(before)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for w in workers:
                peak[w.pid] = max(peak[w.pid], w.memory_info().rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        bodies = list(pool.map(lambda i: stack.upload(big, f"big-{i}.jpg"), range(clients)))
    elapsed = time.monotonic() - t0
    stop.set()
    sampler.join()
    hwm = {w.pid: _status_kb(w.pid, "VmHWM") * 1024 for w in workers}
    after = {w.pid: w.memory_info().rss for w in workers}
    mb = 1024 * 1024
    per_process = [
        {
            "pid": pid,
            "before_mb": round(before[pid] / mb, 1),
            "after_mb": round(after[pid] / mb, 1),
            "peak_mb": round(max(peak[pid], hwm[pid]) / mb, 1),
            "growth_mb": round((max(peak[pid], hwm[pid]) - before[pid]) / mb, 1),
        }
        for pid in before
    ]
    etags = [stack.s3.head_object(Bucket=stack.settings.bucket, Key=original_key(b["id"]))["ETag"] for b in bodies]
    moto_log = stack.local.log_path("aws").read_text(errors="replace")
    return {
        "clients": clients,
        "file_mb": round(big.stat().st_size / mb, 1),
        "seconds": round(elapsed, 2),
        "processes": per_process,
        "max_growth_mb": max(p["growth_mb"] for p in per_process),
        "multipart_etags": sum(1 for e in etags if "-" in e.strip('"')),
        "etag_example": etags[0],
        "create_multipart_in_moto_log": sum(
            1 for line in moto_log.splitlines() if "POST" in line and "?uploads " in line
        ),
    }


def main() -> None:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photo", type=Path, required=True, help="the 12 MP camera JPEG")
    parser.add_argument("--big", type=Path, required=True, help="a ~20 MB image")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--only", choices=["overhead", "scaling", "uploads"], action="append")
    parser.add_argument("--web", help="serve this app spec instead of the product's (prototypes)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    only = set(args.only or ["overhead", "scaling", "uploads"])
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="photoshare-bench-") as tmp:
        with local_stack(Path(tmp), args.web) as stack:
            if "overhead" in only:
                results["overhead"] = queue_overhead(stack, args.photo, args.runs)
                results["overhead"]["aws"] = aws_latency(stack, args.photo)
                results["overhead"]["job_in_process"] = job_anatomy(stack, args.photo)
            if "scaling" in only:
                results["scaling"] = scaling(stack, args.photo, args.photos)
            if "uploads" in only:
                results["uploads"] = streaming_uploads(stack, args.big, args.photo, args.clients)
    emit(results, args.out)


if __name__ == "__main__":
    main()
