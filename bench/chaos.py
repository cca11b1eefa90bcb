"""Chaos run: 200 uploads while worker processes are SIGKILLed at random and Redis is down once.

    uv run python -m bench.chaos [--photos 200] [--threads 4] [--kill-every 4] [--redis-down 25] [--seed 1]

Brings up its own stack (moto, redis-server with AOF, gunicorn web, Celery beat, 2 workers of
concurrency 1, the product's worker app), uploads generated JPEGs of 0.5–3 MP from a few
threads while a killer thread SIGKILLs a random worker process every few seconds (a pool
child, or the main process, which is then replaced), crashes Redis (SIGKILL) once in the
middle, keeps it down for `--redis-down` seconds while the uploads go on, and starts it again on
the same port and data directory. Then it waits (at most 5 minutes) until no accepted photo is
QUEUED or PROCESSING and prints what became of them. `lost` (accepted, but missing or neither
READY nor FAILED at the end) must be 0; so must `refused` during the outage, and the photos
uploaded during it are READY soon after Redis returns (the goal: within 30 s).
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests

from photoshare_devstack.processes import pool_children
from photoshare_devstack.stack import NO_RATE_LIMITS, DevStack
from tests.support.client import ApiClient
from tests.support.images import seeded_jpeg
from tests.support.stored import ready_keys
from tests.support.waiting import SETTLED, NotSettled, wait_until

# Production-like ratios, scaled down so a stuck photo is recovered within the run.
CHAOS_SETTINGS = {
    "PHOTOSHARE_TASK_TIME_LIMIT_S": "20",
    "PHOTOSHARE_RETRY_BACKOFF_MAX_S": "5",
    "PHOTOSHARE_VISIBILITY_TIMEOUT_S": "60",
    "PHOTOSHARE_STUCK_AFTER_S": "30",
    "PHOTOSHARE_SWEEP_INTERVAL_S": "5",
    "PHOTOSHARE_MAX_ATTEMPTS": "5",
}
FINAL_WAIT_S = 300


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--kill-every", type=float, default=4.0, help="mean seconds between kills")
    parser.add_argument("--redis-down", type=float, default=25.0, help="seconds Redis stays down")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def _images(count: int, rng: random.Random) -> list[bytes]:
    images = []
    for index in range(count):
        megapixels = rng.uniform(0.5, 3.0)
        aspect = rng.choice([4 / 3, 3 / 2, 16 / 9, 1.0, 3 / 4, 2 / 3])
        width = int((megapixels * 1e6 * aspect) ** 0.5)
        images.append(seeded_jpeg(width, max(1, int(width / aspect)), seed=index))
    return images


def _ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


class Killer(threading.Thread):
    """SIGKILLs a random worker process every few seconds; replaces a worker whose main process died."""

    def __init__(self, stack: DevStack, rng: random.Random, every_s: float) -> None:
        super().__init__(name="killer", daemon=True)
        self.stack, self.rng, self.every_s = stack, rng, every_s
        self.stop_event = threading.Event()
        self.paused = threading.Event()
        self.kills: collections.Counter[str] = collections.Counter()

    def run(self) -> None:
        while not self.stop_event.wait(self.rng.uniform(0.5, 1.5) * self.every_s):
            if self.paused.is_set():
                continue
            try:
                self._kill_one()
            except Exception as error:  # keep killing: one failed attempt must not end the chaos
                print(f"chaos: killer: {type(error).__name__}: {error}", flush=True)

    def _kill_one(self) -> None:
        # Only workers that are up (their pool forked): killing one still booting proves little.
        names = [
            name for name, proc in list(self.stack.workers.items()) if proc.poll() is None and pool_children(proc.pid)
        ]
        if not names:
            return
        name = self.rng.choice(names)
        if self.rng.random() < 0.35:
            orphans = self.stack.kill_worker_main(name)
            time.sleep(1)
            self.stack.reap(orphans)  # billiard children exit with their parent; make sure
            self.kills["main"] += 1
            self.stack.start_worker(wait=False)
        else:
            self.stack.kill_pool_child(name)
            self.kills["pool child"] += 1


def main() -> int:
    args = _parse()
    rng = random.Random(args.seed)
    print(f"chaos: generating {args.photos} JPEGs of 0.5–3 MP…", flush=True)
    images = _images(args.photos, rng)
    root = Path(tempfile.mkdtemp(prefix="photoshare-chaos-"))
    stack = DevStack.on_free_ports(
        root,
        bucket="photoshare-chaos",
        table="photoshare-chaos-photos",
        extra_environ={**NO_RATE_LIMITS, **CHAOS_SETTINGS},
    )
    try:
        try:
            stack.start(workers=2, concurrency=1)
        except Exception as error:
            raise SystemExit(f"chaos: the stack did not start: {error}\n{stack.tails()}") from error
        assert stack.pool is not None
        api = ApiClient.for_new_account(stack.web_url, stack.settings, stack.pool)
        print(
            f"chaos: stack up (logs in {stack.log_dir}); uploading with {args.threads} threads",
            flush=True,
        )
        return _run(stack, api, images, args, rng)
    finally:
        stack.close()


def _run(stack: DevStack, api: ApiClient, images: list[bytes], args: argparse.Namespace, rng: random.Random) -> int:
    outcomes: dict[int, tuple[int, str | None]] = {}
    timings: dict[int, tuple[float, float]] = {}  # wall-clock send time, seconds to answer
    lock = threading.Lock()
    done = [0]

    def upload(index: int) -> None:
        sent = time.time()
        try:
            response = api.upload(images[index], f"chaos-{index}.jpg", timeout=60)
            result = (response.status_code, response.json().get("id") if response.status_code == 202 else None)
        except requests.RequestException as error:
            result = (-1, f"{type(error).__name__}")
        with lock:
            outcomes[index] = result
            timings[index] = (sent, time.time() - sent)
            done[0] += 1

    killer = Killer(stack, rng, args.kill_every)
    killer.start()
    redis_restart = {}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        futures = [pool.submit(upload, i) for i in range(len(images))]
        while done[0] < len(images) // 2:
            time.sleep(0.1)
        print(f"chaos: {done[0]} uploads answered; crashing Redis (SIGKILL) for {args.redis_down:.0f}s", flush=True)
        down, at_upload = time.time(), done[0]
        stack.stop_redis(crash=True)
        time.sleep(args.redis_down)
        stack.start_redis()
        redis_restart = {"down": down, "back": time.time(), "at_upload": at_upload}
        for future in futures:
            future.result()
    upload_s = time.monotonic() - started
    # Keep killing while the backlog drains (bounded), then let the stack settle without chaos.
    drain_deadline = time.monotonic() + 120
    while time.monotonic() < drain_deadline:
        try:
            if stack.queue_depth() == 0:
                break
        except Exception:  # Redis is fine by now; a hiccup must not end the run
            pass
        time.sleep(1)
    killer.stop_event.set()
    killer.join()
    if not any(proc.poll() is None for proc in stack.workers.values()):
        stack.start_worker(wait=False)

    accepted = {status_id[1] for status_id in outcomes.values() if status_id[0] == 202}
    codes = collections.Counter(code for code, _ in outcomes.values())
    print(
        f"chaos: uploads done in {upload_s:.0f}s ({dict(codes)}); queue drained under fire; kills "
        f"{dict(killer.kills)}; waiting up to {FINAL_WAIT_S}s for every photo to settle",
        flush=True,
    )
    items = _wait_final(stack, accepted)
    _report(stack, outcomes, accepted, items, killer, redis_restart, time.monotonic() - started)
    _report_outage(outcomes, timings, items, redis_restart)
    lost = sum(1 for pid in accepted if items.get(pid) is None or items[pid]["status"] not in ("READY", "FAILED"))
    return 1 if lost else 0


def _wait_final(stack: DevStack, accepted: set[str]) -> dict[str, dict | None]:
    """Every accepted photo's item once none is QUEUED or PROCESSING (or as it is after FINAL_WAIT_S)."""
    try:
        items = wait_until(accepted, SETTLED, read=stack.item, timeout=FINAL_WAIT_S, interval=1, gone_is_settled=True)
    except NotSettled as late:
        items = late.last
    return {photo_id: items[photo_id] if photo_id in items else stack.item(photo_id) for photo_id in accepted}  # type: ignore[misc]


def _report(
    stack: DevStack,
    outcomes: dict,
    accepted: set[str],
    items: dict,
    killer: Killer,
    redis_restart: dict,
    total_s: float,
) -> None:
    codes = collections.Counter(code for code, _ in outcomes.values())
    ready = {pid for pid, item in items.items() if item and item["status"] == "READY"}
    failed = {pid: item["error"] for pid, item in items.items() if item and item["status"] == "FAILED"}
    lost = sorted(pid for pid in accepted if pid not in ready and pid not in failed)
    durations = [
        (_ts(items[pid]["finished_at"]) - _ts(items[pid]["created_at"]), pid)
        for pid in ready | failed.keys()
        if items[pid].get("finished_at")
    ]
    attempts = collections.Counter(int(items[pid]["attempts"]) for pid in ready | failed.keys())
    table_ids, keys = stack.item_ids(), stack.s3_keys()
    expected = {f"originals/{pid}" for pid in accepted} | {key for pid in ready for key in ready_keys(pid)}
    logs = stack.worker_logs()
    print("\n=== chaos run ===")
    print(
        f"uploads            {len(outcomes)}: accepted (202) {codes.get(202, 0)}, refused (503) {codes.get(503, 0)}, "
        f"other {sum(n for c, n in codes.items() if c not in (202, 503))} "
        f"{dict((c, n) for c, n in codes.items() if c not in (202, 503))}"
    )
    print(f"READY              {len(ready)}")
    print(f"FAILED             {len(failed)} {dict(collections.Counter(failed.values()))}")
    print(f"lost               {len(lost)} {lost[:10]}")
    if durations:
        longest, longest_id = max(durations)
        durations.sort()
        print(
            f"upload→final       median {durations[len(durations) // 2][0]:.1f}s, longest {longest:.1f}s ({longest_id})"
        )
    print(f"attempts           {dict(sorted(attempts.items()))}")
    print(
        f"kills              {dict(killer.kills)}; Redis crashed for "
        f"{redis_restart['back'] - redis_restart['down']:.1f}s after {redis_restart['at_upload']} uploads"
    )
    print(
        f"recovery sweeps    {logs.count('recovery sweep: re-enqueued')} sweep(s) re-enqueued photos; "
        f"{logs.count('exited with')} pool process(es) lost mid-job or idle (worker logs)"
    )
    print(
        f"leftovers          items not accepted {len(table_ids - accepted)}, "
        f"unexpected S3 keys {len(keys - expected)}, missing S3 keys {len(expected - keys)}"
    )
    print(f"wall time          {total_s:.0f}s (logs in {stack.log_dir})")


def _report_outage(outcomes: dict, timings: dict, items: dict, redis_restart: dict) -> None:
    """The uploads sent while Redis was down: refused, answer times, and how soon they were READY."""
    down, back = redis_restart["down"], redis_restart["back"]
    during = [index for index, (sent, _) in timings.items() if down <= sent < back]
    refused = [index for index in during if outcomes[index][0] != 202]
    answers = sorted(timings[index][1] for index in during)
    photos = [items.get(outcomes[index][1]) for index in during if outcomes[index][0] == 202]
    ready = [item for item in photos if item and item["status"] == "READY"]
    print(f"Redis outage       {back - down:.1f}s; uploads sent during it {len(during)}, refused {len(refused)}")
    if answers:
        print(f"  upload answer    median {answers[len(answers) // 2]:.2f}s, longest {answers[-1]:.2f}s")
    if photos and ready:
        # Sending an unsent job restarts queued_at: when it reached Redis (a photo run more than once
        # may have been sent again later by the sweep, so only first runs count here).
        first_runs = [item for item in photos if item and int(item["attempts"]) == 1]
        sent = sorted(_ts(item["queued_at"]) - back for item in first_runs)
        done_s = sorted(_ts(item["finished_at"]) - back for item in ready)
        print(
            f"  after Redis back all {len(sent)} first-run jobs in Redis after {max(sent, default=0):.1f}s; "
            f"{len(ready)}/{len(photos)} READY: median {done_s[len(done_s) // 2]:.1f}s, "
            f"last {done_s[-1]:.1f}s after Redis returned (goal: 0 refused, all READY within 30 s)"
        )


if __name__ == "__main__":
    sys.exit(main())
