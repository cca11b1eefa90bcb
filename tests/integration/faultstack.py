"""A stack whose parts can be killed and restarted: for the reliability tests and bench/chaos.py.

Moto server, a private redis-server (AOF on, fixed port and data directory so a restart finds
its data again), gunicorn web, Celery beat and any number of Celery workers, all on free ports,
with small reliability settings so recovery happens in seconds, not minutes.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import redis
import requests
from PIL import Image, ImageDraw
from testaccounts import api_session, create_account

from photoshare_devstack import processes
from photoshare_shared.aws import make_client, make_table
from photoshare_shared.provision import ensure_resources

HERE = Path(__file__).resolve().parent

# Small numbers, consistent with the Settings invariants (visibility > limit + backoff, stuck > limit).
FAST_RECOVERY = {
    "PHOTOSHARE_TASK_TIME_LIMIT_S": "10",
    "PHOTOSHARE_RETRY_BACKOFF_MAX_S": "2",
    "PHOTOSHARE_VISIBILITY_TIMEOUT_S": "20",
    "PHOTOSHARE_STUCK_AFTER_S": "12",
    "PHOTOSHARE_SWEEP_INTERVAL_S": "2",
    "PHOTOSHARE_MAX_ATTEMPTS": "3",
    # The tests and the chaos run upload from one address far faster than a person would.
    "PHOTOSHARE_UPLOAD_RATE_LIMIT": "100000 per minute",
}
SETTLED = frozenset({"READY", "FAILED"})
FAULTY_APP = "faulty_worker"

# The stacks alive now, so a failing test's report can carry their log tails.
ACTIVE: list[FaultStack] = []


def make_jpeg(width: int = 800, height: int = 600, *, marker: bytes | None = None, seed: int = 0) -> bytes:
    """A JPEG with some structure; `marker` goes in a JPEG comment (PHOTOSHARE-SLOW / -POISON)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(width // 2 + 1), y0 + rng.randrange(height // 2 + 1)
        draw.rectangle([x0, y0, x1, y1], fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 85}
    if marker:
        options["comment"] = marker
    image.save(out, "JPEG", **options)
    return out.getvalue()


def pool_children(pid: int) -> list[int]:
    """Pids whose parent is `pid` (the prefork pool of a Celery worker), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 is the parent pid; the command name (field 2) may contain spaces, so split after ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            children.append(int(entry.name))
    return sorted(children)


def pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class FaultStack:
    """The running stack and the levers to break it."""

    root: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    worker_app: str = FAULTY_APP
    bucket: str = "photoshare-rel"
    table_name: str = "photoshare-rel-photos"

    def __post_init__(self) -> None:
        self.log_dir = self.root / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.fault_dir = self.root / "faults"
        self.fault_dir.mkdir(exist_ok=True)
        self.redis_dir = self.root / "redis"
        self.aws_port, self.redis_port, self.web_port = (processes.free_port() for _ in range(3))
        self.aws_url = f"http://127.0.0.1:{self.aws_port}"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.stack_env = processes.StackEnv(
            redis_url=self.redis_url, aws_endpoint_url=self.aws_url, bucket=self.bucket, table=self.table_name
        )
        pythonpath = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH", "")]))
        self.env = self.stack_env.environ()
        self.env.update(FAST_RECOVERY)
        self.env.update({"PYTHONPATH": pythonpath, "PHOTOSHARE_FAULT_DIR": str(self.fault_dir)})
        self.env.update(self.env_extra)
        self.procs: dict[str, subprocess.Popen] = {}
        self.workers: dict[str, subprocess.Popen] = {}
        self.hostnames: dict[str, str] = {}
        self._logs: list[IO[bytes]] = []
        self._worker_seq = 0
        self.settings = None
        self.s3: Any = None
        self.table: Any = None
        self.api = requests.Session()  # signed in as a test user once started

    # ----- life cycle -------------------------------------------------------------------------

    def _log(self, name: str) -> IO[bytes]:
        handle = (self.log_dir / f"{name}.log").open("ab")
        self._logs.append(handle)
        return handle

    def start(self, *, workers: int = 1, concurrency: int = 1) -> FaultStack:
        """Bring every part up; raises StartupError (with log tails) if one does not come up."""
        ACTIVE.append(self)
        try:
            self.procs["aws"] = processes.start_moto(self.aws_port, output=self._log("aws"))
            self.start_redis()
            from photoshare_shared.settings import Settings

            self.settings = Settings(
                redis_url=self.redis_url,
                aws_endpoint_url=self.aws_url,
                bucket=self.bucket,
                table=self.table_name,
                s3_public_endpoint_url=self.aws_url,
            )
            pool = ensure_resources(self.settings)
            self.api = api_session(create_account(make_client("cognito-idp", self.settings), pool))
            self.s3 = make_client("s3", self.settings)
            self.table = make_table(self.settings)
            self.procs["web"] = processes.start_web(self.env, self.web_port, output=self._log("web"))
            self.procs["beat"] = processes.start_beat(self.env, workdir=self.root / "beat", output=self._log("beat"))
            for _ in range(workers):
                self.start_worker(concurrency=concurrency)
        except Exception as error:
            raise processes.StartupError(
                f"{error}\n{self.tails(('aws', 'redis', 'web', 'beat', 'worker-1'))}"
            ) from error
        return self

    def close(self) -> None:
        """Stop everything that is still running (workers first, the emulator last)."""
        for name, proc in list(self.workers.items()):
            processes.stop(proc, timeout=5)
            del self.workers[name]
        for name in ("beat", "web", "redis", "aws"):
            proc = self.procs.pop(name, None)
            if proc is not None:
                processes.stop(proc, timeout=5)
        for handle in self._logs:
            handle.close()
        if self in ACTIVE:
            ACTIVE.remove(self)

    # ----- Redis ------------------------------------------------------------------------------

    def start_redis(self, timeout: float = 15) -> None:
        """Start redis-server on this stack's port and data directory (AOF on) and wait for PING."""
        self.procs["redis"] = processes.start_redis(
            self.redis_port, appendonly=True, workdir=self.redis_dir, output=self._log("redis"), timeout=timeout
        )

    def stop_redis(self, *, crash: bool = False) -> None:
        """Stop Redis: SIGTERM (it writes its AOF and exits) or, with crash=True, SIGKILL."""
        proc = self.procs.pop("redis")
        if crash:
            proc.kill()
            proc.wait(timeout=10)
        else:
            processes.stop(proc, timeout=10)

    def redis(self) -> redis.Redis:
        """A client of this stack's Redis (short timeouts)."""
        return redis.Redis.from_url(self.redis_url, socket_timeout=3, socket_connect_timeout=3)

    def queue_depth(self) -> int:
        """Messages waiting in the photos queue."""
        client = self.redis()
        try:
            return int(client.llen("photos"))
        finally:
            client.close()

    # ----- workers ----------------------------------------------------------------------------

    def start_worker(self, *, concurrency: int = 1, wait: bool = True) -> str:
        """Start one worker; with wait=True block until it answers a ping. Returns its name."""
        self._worker_seq += 1
        name = f"worker-{self._worker_seq}"
        hostname = f"rel{self._worker_seq}-{os.getpid()}@localhost"
        self.workers[name] = processes.start_worker(
            self.env,
            concurrency=concurrency,
            hostname=hostname,
            output=self._log(name),
            timeout=None,
            app=self.worker_app,
        )
        self.hostnames[name] = hostname
        if wait:
            try:
                self.wait_for_worker(name)
            except BaseException:
                processes.stop(self.workers.pop(name), timeout=3)
                raise
        return name

    def wait_for_worker(self, name: str, timeout: float = 60) -> None:
        """Block until a worker answers a ping.

        The first broadcast of a fresh Celery app after a Redis restart can fail with "connection
        closed by server" (kombu keeps stale sockets process-wide), so errors are retried here.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                processes.wait_for_worker(
                    self.redis_url, self.hostnames[name], max(1.0, deadline - time.monotonic()), proc=self.workers[name]
                )
                return
            except processes.StartupError:
                raise
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop_worker(self, name: str) -> None:
        """A graceful stop (SIGTERM: warm shutdown), then kill whatever is left of its group."""
        processes.stop(self.workers.pop(name), timeout=15)

    def kill_worker_main(self, name: str) -> list[int]:
        """SIGKILL the worker's main process only (like an OOM kill); returns its orphaned pool pids."""
        proc = self.workers.pop(name)
        orphans = pool_children(proc.pid)
        proc.kill()
        proc.wait(timeout=10)
        return orphans

    def kill_pool_child(self, name: str) -> int:
        """SIGKILL one pool process of a worker; returns its pid."""
        children = pool_children(self.workers[name].pid)
        if not children:
            raise RuntimeError(f"{name} has no pool process")
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def reap(self, pids: Iterable[int]) -> None:
        """SIGKILL leftover processes (orphaned pool children of a killed worker)."""
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def worker_logs(self) -> str:
        """All workers' logs, concatenated."""
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.log_dir.glob("worker-*.log")))

    # ----- the API and the stores -------------------------------------------------------------

    def url(self, path: str) -> str:
        """Absolute URL of a path of the web app."""
        return self.web_url + path

    def upload(self, data: bytes, filename: str = "photo.jpg", timeout: float = 30) -> requests.Response:
        """POST one JPEG to /api/photos."""
        return self.api.post(self.url("/api/photos"), files={"file": (filename, data, "image/jpeg")}, timeout=timeout)

    def item(self, photo_id: str) -> dict[str, Any] | None:
        """The photo's DynamoDB item, read directly (consistent read), or None."""
        return self.table.get_item(Key={"photo_id": photo_id}, ConsistentRead=True).get("Item")

    def wait_settled(
        self, photo_ids: Iterable[str], timeout: float = 60, statuses: frozenset[str] = SETTLED
    ) -> dict[str, dict[str, Any] | None]:
        """Wait until every photo's item has a status in `statuses` (or is gone); return the items."""
        pending = set(photo_ids)
        items: dict[str, dict[str, Any] | None] = {}
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for photo_id in list(pending):
                item = self.item(photo_id)
                items[photo_id] = item
                if item is None or item["status"] in statuses:
                    pending.discard(photo_id)
            if pending:
                time.sleep(0.2)
        if pending:
            states = {pid: (items.get(pid) or {}).get("status") for pid in sorted(pending)}
            raise AssertionError(f"not settled after {timeout}s: {states}")
        return items

    def wait_status(self, photo_id: str, status: str, timeout: float = 30) -> dict[str, Any]:
        """Wait until one photo's item has exactly `status`."""
        deadline = time.monotonic() + timeout
        item = None
        while time.monotonic() < deadline:
            item = self.item(photo_id)
            if item is not None and item["status"] == status:
                return item
            time.sleep(0.1)
        raise AssertionError(f"photo {photo_id} not {status} after {timeout}s: {item}")

    def wait_idle(self, timeout: float = 30, quiet_s: float = 1.0) -> None:
        """Wait until the queue is empty and nothing is unacknowledged, for `quiet_s` in a row."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            client = self.redis()
            try:
                busy = client.llen("photos") + client.hlen("unacked")
            finally:
                client.close()
            if busy == 0:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= quiet_s:
                    return
            else:
                quiet_since = None
            time.sleep(0.2)
        raise AssertionError(f"the worker did not go idle within {timeout}s")

    def s3_keys(self, prefix: str = "") -> set[str]:
        """Every key in the bucket (under `prefix`)."""
        paginator = self.s3.get_paginator("list_objects_v2")
        return {
            obj["Key"]
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix)
            for obj in page.get("Contents", [])
        }

    def item_ids(self) -> set[str]:
        """Every photo id in the table (a Scan is fine in a test, never in the app)."""
        ids: set[str] = set()
        kwargs: dict[str, Any] = {"ProjectionExpression": "photo_id", "ConsistentRead": True}
        while True:
            page = self.table.scan(**kwargs)
            ids |= {item["photo_id"] for item in page["Items"]}
            if "LastEvaluatedKey" not in page:
                return ids
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    @staticmethod
    def expected_keys(photo_id: str) -> set[str]:
        """The exactly three objects of a READY photo."""
        return {f"originals/{photo_id}", f"thumbnails/{photo_id}/small.webp", f"thumbnails/{photo_id}/large.jpg"}

    # ----- diagnostics ------------------------------------------------------------------------

    def tails(self, names: Iterable[str], lines: int = 40) -> str:
        """The last lines of some logs."""
        parts = []
        for name in names:
            path = self.log_dir / f"{name}.log"
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            parts.append(f"----- {name} log ({path}) -----\n" + "\n".join(text))
        return "\n".join(parts)

    def diagnostics(self) -> list[tuple[str, str]]:
        """Report sections for a failing test: log tails and which processes died."""
        names = sorted({p.stem for p in self.log_dir.glob("worker-*.log")})[-2:] + ["beat", "web", "redis"]
        sections = [(f"reliability stack: {name} log", self.tails([name])) for name in names]
        dead = [
            f"{name} exited with {proc.returncode}"
            for name, proc in {**self.procs, **self.workers}.items()
            if proc.poll() is not None
        ]
        if dead:
            sections.append(("reliability stack: dead processes", "\n".join(dead)))
        return sections
