"""Target 3's ceiling on this machine: do two CPU-bound render loops on its two cores scale over one?

`python -m bench.cores PHOTO --out result.json` runs render_photo in a loop in one process pinned to
one core, then in two processes pinned to one core each, at the same time; rounds alternate the
lone core. No AWS, no Redis, no Celery: if two renders side by side already run slower each than
one alone (shared caches, memory bandwidth, the host's scheduling of the two vCPUs), a worker with
concurrency 2 cannot be 2x faster than with 1, whatever the job around the render costs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from pathlib import Path

from bench.report import emit
from photoshare_worker.imaging import render_photo
from photoshare_worker.memory import keep_freed_memory


def _loop(core: int, data: bytes, renders: int, results: multiprocessing.Queue) -> None:
    """ms per render of `renders` renders on `core` (after one warm-up), as a pool process runs them."""
    os.sched_setaffinity(0, {core})
    keep_freed_memory()
    render_photo(data)
    started = time.perf_counter()
    for _ in range(renders):
        render_photo(data)
    results.put((time.perf_counter() - started) / renders * 1000)


def _run(cores: list[int], data: bytes, renders: int) -> list[float]:
    """Start one loop per core at once; each loop's ms per render."""
    results: multiprocessing.Queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_loop, args=(core, data, renders, results)) for core in cores]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return [results.get() for _ in procs]


def measure(data: bytes, renders: int, rounds: int) -> dict[str, float]:
    """Median ms per render alone and side by side, and the throughput of two loops over one."""
    cores = sorted(os.sched_getaffinity(0))[:2]
    alone, together = [], []
    for round_no in range(rounds):
        alone += _run([cores[round_no % 2]], data, renders)
        together += _run(cores, data, renders)
    one, two = statistics.median(alone), statistics.median(together)
    return {"alone_ms": round(one, 1), "side_by_side_ms": round(two, 1), "throughput": round(2 * one / two, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("photo", type=Path)
    parser.add_argument("--renders", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if len(os.sched_getaffinity(0)) < 2:
        result: dict[str, float] = {}
    else:
        result = measure(args.photo.read_bytes(), args.renders, args.rounds)
    emit(result, args.out)


if __name__ == "__main__":
    main()
