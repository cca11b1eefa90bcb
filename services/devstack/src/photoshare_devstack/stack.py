"""One local stack and the levers to break it: used by `make dev`, the integration and browser tests and the bench.

Moto server (the AWS emulator), a redis-server, Celery workers, Celery beat and the web under gunicorn,
each a child process in a session of its own. What the tests pull (stop or crash Redis, kill a worker
or one of its pool processes, start another worker) is a method here, so no caller handles processes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import redis

from photoshare_devstack import processes
from photoshare_devstack.logstream import LogFiles
from photoshare_devstack.processes import Output, StackEnv
from photoshare_devstack.stackenv import WEB_HOST
from photoshare_shared.aws import make_client, make_table
from photoshare_shared.jobqueue import PHOTOS_QUEUE
from photoshare_shared.provision import ensure_resources
from photoshare_shared.userpool import UserPoolIds

# Tests and the bench upload and sign in from one address far faster than a person would
# (the limits themselves are tested in the unit tier).
NO_RATE_LIMITS = {
    "PHOTOSHARE_UPLOAD_RATE_LIMIT": "100000 per minute",
    "PHOTOSHARE_SIGNIN_RATE_LIMIT": "100000 per minute",
}


class LogSink(Protocol):
    """Where each part's output goes (LogFiles, or the dev command's LogStreams)."""

    directory: Path

    def open(self, name: str) -> Output: ...

    def started(self, name: str) -> None: ...

    def close(self) -> None: ...


@dataclass
class DevStack:
    """The processes of one local stack, what they stored, and the levers to break them."""

    root: Path  # data of Redis and beat, and (by default) the logs
    env: StackEnv
    web_port: int
    aws_port: int
    redis_port: int | None = None  # None: the Redis at env.redis_url runs already and is not ours
    extra_environ: Mapping[str, str] = field(default_factory=dict)  # settings on top of env's
    redis_appendonly: bool = True  # keeps queued jobs over a Redis restart
    worker_app: str = processes.WORKER_APP  # the Celery -A module (tests start one with faults injected)
    web_app: str = processes.WEB_APP  # gunicorn's app spec (the bench serves variants)
    logs: LogSink | None = None  # default: LogFiles in root/logs

    @classmethod
    def on_free_ports(cls, root: Path, *, bucket: str, table: str, **options: Any) -> DevStack:
        """A stack of its own: emulator, Redis and web on free ports of 127.0.0.1."""
        aws_port, redis_port, web_port = processes.free_ports(3)
        env = StackEnv(
            redis_url=f"redis://127.0.0.1:{redis_port}/0",
            aws_endpoint_url=f"http://127.0.0.1:{aws_port}",
            bucket=bucket,
            table=table,
        )
        return cls(root, env, web_port=web_port, aws_port=aws_port, redis_port=redis_port, **options)

    def __post_init__(self) -> None:
        self.log_sink: LogSink = self.logs or LogFiles(self.root / "logs")
        self.environ = {**self.env.environ(), **self.extra_environ}
        self.settings = self.env.settings()
        self.web_url = f"http://{WEB_HOST}:{self.web_port}"
        self.pool: UserPoolIds | None = None  # once start() made the emulator's resources
        self.procs: dict[str, subprocess.Popen] = {}  # aws, redis, beat, web
        self.workers: dict[str, subprocess.Popen] = {}  # worker, worker-2, ...
        self._hostnames: dict[str, str] = {}
        self._worker_count = 0

    @property
    def redis_url(self) -> str:
        return self.env.redis_url

    @property
    def aws_endpoint_url(self) -> str:
        return self.env.aws_endpoint_url

    def url(self, path: str) -> str:
        """Absolute URL of a path of the web app."""
        return self.web_url + path

    # ----- life cycle -------------------------------------------------------------------------

    def start(self, *, workers: int = 1, concurrency: int = 1, beat: bool = True, consumer: bool = True) -> DevStack:
        """Emulator, Redis, the emulator's resources, workers, beat, the upload consumer, web;
        StartupError if one does not come up."""
        self._launch(self.procs, "aws", lambda out: processes.start_moto(self.aws_port, output=out))
        if self.redis_port is not None:
            self.start_redis()
        # Browsers on this stack's site send upload parts straight to the emulator's bucket.
        self.pool = ensure_resources(self.settings, site_origin=self.settings.site_url or self.web_url)
        for _ in range(workers):
            self.start_worker(concurrency=concurrency)
        if beat:
            workdir = self.root / "beat"
            self._launch(
                self.procs, "beat", lambda out: processes.start_beat(self.environ, workdir=workdir, output=out)
            )
        if consumer:
            self._launch(self.procs, "consumer", lambda out: processes.start_consumer(self.environ, output=out))
        self._launch(
            self.procs,
            "web",
            lambda out: processes.start_web(self.environ, self.web_port, output=out, app=self.web_app),
        )
        return self

    def close(self, on_stopped: Callable[[str], None] | None = None) -> None:
        """Stop every part still running, the web first and the emulator last; then close the logs."""
        for name in ("web", "consumer", "beat", *reversed(self.workers), "redis", "aws"):
            proc = self.procs.pop(name, None) or self.workers.pop(name, None)
            if proc is not None:
                processes.stop(proc, timeout=10)
                if on_stopped:
                    on_stopped(name)
        self.log_sink.close()

    def running(self, name: str) -> bool:
        """True while the part `name` (aws, redis, beat, web, or a worker) runs."""
        proc = self.procs.get(name) or self.workers.get(name)
        return proc is not None and proc.poll() is None

    def first_exited(self) -> tuple[str, int] | None:
        """A part that exited on its own, with its exit code, if any did."""
        for name, proc in {**self.procs, **self.workers}.items():
            if proc.poll() is not None:
                return name, proc.returncode
        return None

    def _launch(
        self, into: dict[str, subprocess.Popen], name: str, start: Callable[[Output], subprocess.Popen]
    ) -> None:
        try:
            into[name] = start(self.log_sink.open(name))
        finally:
            self.log_sink.started(name)

    # ----- Redis ------------------------------------------------------------------------------

    def start_redis(self, timeout: float = 15) -> None:
        """Start this stack's redis-server (same port and data directory each time) and wait for PING."""
        if self.redis_port is None:
            raise RuntimeError(f"this stack does not run its own Redis (it uses {self.redis_url})")
        port, workdir = self.redis_port, self.root / "redis"
        self._launch(
            self.procs,
            "redis",
            lambda out: processes.start_redis(
                port, appendonly=self.redis_appendonly, workdir=workdir, output=out, timeout=timeout
            ),
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
        """A client of this stack's Redis (short timeouts); close it after use."""
        return redis.Redis.from_url(self.redis_url, socket_timeout=3, socket_connect_timeout=3)

    def queue_depth(self) -> int:
        """Messages waiting in the photos queue."""
        client = self.redis()
        try:
            return int(client.llen(PHOTOS_QUEUE))
        finally:
            client.close()

    def wait_idle(self, timeout: float = 30, quiet_s: float = 1.0) -> None:
        """Wait until the queue is empty and nothing is unacknowledged, for `quiet_s` in a row."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            client = self.redis()
            try:
                busy = client.llen(PHOTOS_QUEUE) + client.hlen("unacked")
            finally:
                client.close()
            if busy == 0:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= quiet_s:
                    return
            else:
                quiet_since = None
            time.sleep(0.2)
        raise AssertionError(f"the workers did not go idle within {timeout}s")

    # ----- workers ----------------------------------------------------------------------------

    def start_worker(self, *, concurrency: int = 1, wait: bool = True) -> str:
        """Start one worker; with wait=True block until it answers a ping. Returns its name."""
        self._worker_count += 1
        name = "worker" if self._worker_count == 1 else f"worker-{self._worker_count}"
        # An explicit host part (not %h) so that the name we ping is the name the worker uses.
        hostname = self._hostnames[name] = f"{name}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        self._launch(
            self.workers,
            name,
            lambda out: processes.start_worker(
                self.environ, concurrency=concurrency, hostname=hostname, output=out, timeout=None, app=self.worker_app
            ),
        )
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
                left = max(1.0, deadline - time.monotonic())
                processes.wait_for_worker(self.redis_url, self._hostnames[name], left, proc=self.workers[name])
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

    def stop_workers(self) -> None:
        """Stop every worker."""
        for name in list(self.workers):
            self.stop_worker(name)

    def kill_worker_main(self, name: str) -> list[int]:
        """SIGKILL the worker's main process only (like an OOM kill); returns its orphaned pool pids."""
        proc = self.workers.pop(name)
        orphans = processes.pool_children(proc.pid)
        proc.kill()
        proc.wait(timeout=10)
        return orphans

    def kill_pool_child(self, name: str) -> int:
        """SIGKILL one pool process of a worker; returns its pid."""
        children = processes.pool_children(self.workers[name].pid)
        if not children:
            raise RuntimeError(f"{name} has no pool process")
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    @staticmethod
    def reap(pids: Iterable[int]) -> None:
        """SIGKILL leftover processes (orphaned pool children of a killed worker)."""
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # ----- what the stack stored --------------------------------------------------------------

    @cached_property
    def s3(self) -> Any:
        """An S3 client of the emulator."""
        return make_client("s3", self.settings)

    @cached_property
    def table(self) -> Any:
        """The photos table of the emulator."""
        return make_table(self.settings)

    def item(self, photo_id: str) -> dict[str, Any] | None:
        """The photo's DynamoDB item, read directly (consistent read), or None."""
        return self.table.get_item(Key={"photo_id": photo_id}, ConsistentRead=True).get("Item")

    def s3_keys(self, prefix: str = "") -> set[str]:
        """Every key in the bucket (under `prefix`)."""
        paginator = self.s3.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.settings.bucket, Prefix=prefix)
        return {obj["Key"] for page in pages for obj in page.get("Contents", [])}

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

    # ----- diagnostics ------------------------------------------------------------------------

    @property
    def log_dir(self) -> Path:
        """Where every part's log file is."""
        return self.log_sink.directory

    def log_path(self, name: str) -> Path:
        """The log file of one part."""
        return self.log_dir / f"{name}.log"

    def log_tail(self, name: str, lines: int = 60) -> str:
        """The last lines of one part's log."""
        path = self.log_path(name)
        if not path.exists():
            return f"(no {path})"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def worker_logs(self) -> str:
        """Every worker's log, concatenated."""
        paths = sorted(self.log_dir.glob("worker*.log"))
        return "\n".join(path.read_text(errors="replace") for path in paths)

    def tails(self, lines: int = 40) -> str:
        """The last lines of every log, for a start-up failure."""
        names = sorted(path.stem for path in self.log_dir.glob("*.log"))
        return "\n".join(
            f"----- {name} log ({self.log_path(name)}) -----\n{self.log_tail(name, lines)}" for name in names
        )

    def diagnostics(self) -> list[tuple[str, str]]:
        """Report sections for a failing test: the latest workers' and the other parts' log tails, dead parts."""
        workers = sorted(path.stem for path in self.log_dir.glob("worker*.log"))[-2:]
        names = [*workers, *(name for name in ("beat", "web", "redis") if self.log_path(name).exists())]
        sections = [(f"{name} log, last lines", self.log_tail(name)) for name in names]
        parts = {**self.procs, **self.workers}
        dead = [f"{name} exited with code {proc.returncode}" for name, proc in parts.items() if proc.poll() is not None]
        if dead:
            sections.append(("dead processes", "\n".join(dead)))
        return sections
