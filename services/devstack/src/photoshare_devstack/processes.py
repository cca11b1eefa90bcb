"""Start, wait for and stop the stack's processes; shared by `make dev` and the integration tests."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

# Re-exported: callers (the dev command, the tests) need only this module.
from photoshare_devstack.readiness import (
    StartupError,
    check_alive,
    free_port,
    free_ports,
    port_is_free,
    redis_answers,
    wait_for_http,
    wait_for_port,
    wait_for_worker,
)
from photoshare_devstack.stackenv import WEB_HOST, StackEnv

__all__ = [
    "StackEnv",
    "StartupError",
    "free_port",
    "free_ports",
    "pid_alive",
    "pool_children",
    "port_is_free",
    "redis_answers",
    "start_moto",
    "start_redis",
    "start_web",
    "start_worker",
    "stop",
    "wait_for_http",
    "wait_for_port",
    "wait_for_worker",
]

# Where a child's stdout+stderr go: None inherits ours, an int is a file descriptor.
Output = int | IO[bytes] | IO[str] | None


def _popen(command: list[str], *, output: Output, env: Mapping[str, str] | None = None) -> subprocess.Popen:
    # A session of its own: a terminal's Ctrl-C reaches only us, and we decide the shutdown
    # order; it also makes the child's process group (pgid == pid) killable as one.
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
        env=dict(env) if env is not None else None,
        start_new_session=True,
    )


def _start_and_wait(
    command: list[str],
    wait: Callable[[subprocess.Popen], None],
    *,
    output: Output,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen:
    """Start `command`, run `wait(proc)`, and kill the process again if it never became ready."""
    proc = _popen(command, output=output, env=env)
    try:
        wait(proc)
    except BaseException:
        stop(proc, timeout=3)
        raise
    return proc


def redis_server_command(port: int, *, appendonly: bool, workdir: Path) -> list[str]:
    """The redis-server command line used locally (same durability settings as compose)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise StartupError(
            "redis-server was not found on PATH; install Redis (e.g. `apt-get install redis-server` "
            "or `brew install redis`) or point REDIS_URL at a running server"
        )
    return [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--dir",
        str(workdir),
        "--appendonly",
        "yes" if appendonly else "no",
        "--maxmemory-policy",
        "noeviction",
    ]


def start_redis(
    port: int, *, appendonly: bool, workdir: Path, output: Output = None, timeout: float = 15
) -> subprocess.Popen:
    """Run a private redis-server on 127.0.0.1:`port` and wait until it answers PING."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = redis_server_command(port, appendonly=appendonly, workdir=workdir)
    url = f"redis://127.0.0.1:{port}/0"

    def wait(proc: subprocess.Popen) -> None:
        deadline = time.monotonic() + timeout
        while not redis_answers(url):
            check_alive(proc, f"redis-server on port {port}")
            if time.monotonic() > deadline:
                raise StartupError(f"redis-server on port {port} did not answer after {timeout:.0f}s")
            time.sleep(0.1)

    return _start_and_wait(command, wait, output=output)


def moto_command(port: int) -> list[str]:
    """The command line of moto's server (the local AWS emulator)."""
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def start_moto(port: int, *, output: Output = None, timeout: float = 30) -> subprocess.Popen:
    """Run moto's server on 127.0.0.1:`port` and wait until it answers HTTP."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return _start_and_wait(
        moto_command(port),
        lambda proc: wait_for_http(f"http://127.0.0.1:{port}/moto-api/", timeout, proc=proc),
        output=output,
        env=env,
    )


WORKER_APP = "photoshare_worker.celery_app"


def worker_command(*, concurrency: int, hostname: str, app: str = WORKER_APP) -> list[str]:
    """The command line of one Celery worker consuming the photos queue (`app`: the -A module)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        app,
        "worker",
        "-Q",
        "photos",
        "--pool",
        "prefork",
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--hostname",
        hostname,
    ]


def start_worker(
    env: Mapping[str, str],
    *,
    concurrency: int = 1,
    hostname: str | None = None,
    output: Output = None,
    timeout: float | None = 60,
    app: str = WORKER_APP,
) -> subprocess.Popen:
    """Run one Celery worker (prefork pool); with a timeout, wait until it answers a ping."""
    # An explicit host part (not %h) so that the name we ping is the name the worker uses.
    hostname = hostname or f"photoshare-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    command = worker_command(concurrency=concurrency, hostname=hostname, app=app)
    if timeout is None:
        return _popen(command, output=output, env=env)
    return _start_and_wait(
        command,
        lambda proc: wait_for_worker(env["REDIS_URL"], hostname, timeout, proc=proc),
        output=output,
        env=env,
    )


def beat_command(schedule_file: Path) -> list[str]:
    """The command line of Celery beat, which runs the periodic recovery sweep."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "photoshare_worker.celery_app",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(schedule_file),
    ]


def start_beat(env: Mapping[str, str], *, workdir: Path, output: Output = None) -> subprocess.Popen:
    """Run Celery beat (exactly one per stack), keeping its schedule file in `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    return _popen(beat_command(workdir / "celerybeat-schedule"), output=output, env=env)


def start_consumer(env: Mapping[str, str], *, output: Output = None) -> subprocess.Popen:
    """Run the upload consumer: objects landing under uploads/ become photos."""
    return _popen([sys.executable, "-m", "photoshare_worker.consumer"], output=output, env=env)


def _gunicorn_has_control_socket() -> bool:
    try:
        from gunicorn.config import KNOWN_SETTINGS
    except ImportError:
        return False
    return any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)


WEB_APP = "photoshare_web:create_app()"


def web_command(port: int, *, workers: int = 2, threads: int = 8, app: str = WEB_APP) -> list[str]:
    """The gunicorn command line of the web app (`app`: gunicorn's app spec)."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{WEB_HOST}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
    ]
    if _gunicorn_has_control_socket():
        # Gunicorn >= 27 puts one control socket per user at ~/.gunicorn/gunicorn.ctl: a second
        # server (tests next to `make dev`) would take it over and delete it on exit.
        command.append("--no-control-socket")
    return [*command, app]


def start_web(
    env: Mapping[str, str], port: int, *, output: Output = None, timeout: float = 30, app: str = WEB_APP
) -> subprocess.Popen:
    """Run the web app (or another app spec, e.g. a bench variant) under gunicorn and wait for /healthz."""
    return _start_and_wait(
        web_command(port, app=app),
        lambda proc: wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout, proc=proc),
        output=output,
        env=env,
    )


def stop(proc: subprocess.Popen, timeout: float = 10) -> int | None:
    """Stop a child started here: SIGTERM, then SIGKILL to its whole process group."""
    # TERM goes to the leader only, so gunicorn and celery run their own graceful shutdown
    # (a TERM straight to celery's pool children would be seen as lost workers).
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    # KILL the whole group even after the leader exited: orphaned children must not survive.
    # (The group outlives its leader while any member lives, so the id cannot be reused yet.)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        return proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return None


def _stat_fields(pid: int | str) -> list[str] | None:
    """/proc/<pid>/stat after the command name (which may hold spaces): state, ppid, ..."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def pool_children(pid: int) -> list[int]:
    """Live pids whose parent is `pid` (the prefork pool of a Celery worker), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        fields = _stat_fields(entry.name) if entry.name.isdigit() else None
        if fields and int(fields[1]) == pid and fields[0] != "Z":
            children.append(int(entry.name))
    return sorted(children)


def pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"
