"""`photoshare-dev` (`make dev`): the whole stack on this machine, without Docker."""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from photoshare_devstack import processes
from photoshare_devstack.logstream import LogStreams
from photoshare_devstack.stackenv import kept_secret_key
from photoshare_shared.provision import demo_banner, ensure_demo_user, ensure_resources
from photoshare_shared.settings import Settings

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class _Shutdown(Exception):
    """SIGTERM or SIGHUP arrived: leave the main loop like a Ctrl-C."""


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="photoshare-dev", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="web port on 127.0.0.1 (default 8000)")
    parser.add_argument("--aws-port", type=int, default=4566, help="AWS emulator port (default 4566)")
    parser.add_argument("--workers", type=int, default=1, help="worker concurrency (default 1)")
    return parser.parse_args(argv)


def _project_root() -> Path:
    """The uv workspace root above the current directory, else the current directory."""
    cwd = Path.cwd().resolve()
    for directory in (cwd, *cwd.parents):
        if (directory / "uv.lock").is_file() or (directory / ".git").exists():
            return directory
    return cwd


def _fail(message: str) -> int:
    print(f"photoshare-dev: {message}", file=sys.stderr)
    return 1


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Shutdown()


def main(argv: list[str] | None = None) -> int:
    """Start the emulator, Redis, web and worker; stop them all on Ctrl-C or when one dies."""
    args = _parse(argv)
    for name, port in (("--aws-port", args.aws_port), ("--port", args.port)):
        if not processes.port_is_free("127.0.0.1", port):
            return _fail(f"port {port} ({name}) is already in use; stop what uses it or pass {name} N")
    dev_dir = _project_root() / ".dev"
    logs = LogStreams(dev_dir / "logs")
    started: list[tuple[str, subprocess.Popen]] = []
    # Explicit, because a shell starting us in the background may have set SIGINT to ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sigterm)
    code = 0
    try:
        code = _run(args, dev_dir, logs, started)
    except KeyboardInterrupt:
        print("\nphotoshare-dev: stopping", flush=True)
    except _Shutdown:
        print("photoshare-dev: terminated, stopping", flush=True)
    except processes.StartupError as error:
        code = _fail(str(error))
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave children behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        for name, proc in reversed(started):
            processes.stop(proc, timeout=10)
            print(f"photoshare-dev: stopped {name}", flush=True)
        logs.close()
    return code


def _run(args: argparse.Namespace, dev_dir: Path, logs: LogStreams, started: list[tuple[str, subprocess.Popen]]) -> int:
    """Bring the stack up, then watch it; returns the exit code when a child dies."""
    aws_url = f"http://127.0.0.1:{args.aws_port}"
    started.append(("aws", processes.start_moto(args.aws_port, output=logs.open("aws"))))
    logs.started("aws")

    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if processes.redis_answers(redis_url):
        redis_note = f"{redis_url} (already running, not started here)"
    else:
        port = 6379 if processes.port_is_free("127.0.0.1", 6379) else processes.free_port()
        print(f"photoshare-dev: no Redis answers at {redis_url}; starting redis-server on port {port}")
        redis_dir = dev_dir / "redis"
        proc = processes.start_redis(port, appendonly=True, workdir=redis_dir, output=logs.open("redis"))
        started.append(("redis", proc))
        logs.started("redis")
        redis_url = f"redis://127.0.0.1:{port}/0"
        redis_note = f"{redis_url} (redis-server, data in {redis_dir})"

    configured = Settings()  # bucket, table and region may come from PHOTOSHARE_* / AWS_REGION
    stack = processes.StackEnv(
        redis_url=redis_url,
        aws_endpoint_url=aws_url,
        bucket=configured.bucket,
        table=configured.table,
        aws_region=configured.aws_region,
        cognito_pool_name=configured.cognito_pool_name,
        secret_key=configured.secret_key or kept_secret_key(dev_dir),
    )
    settings = stack.settings()
    site_origin = settings.site_url or f"http://127.0.0.1:{args.port}"  # browsers upload parts from there
    demo_password = ensure_demo_user(settings, ensure_resources(settings, site_origin=site_origin))
    env = stack.environ()

    worker = processes.start_worker(env, concurrency=args.workers, output=logs.open("worker"))
    started.append(("worker", worker))
    logs.started("worker")
    started.append(("beat", processes.start_beat(env, workdir=dev_dir / "beat", output=logs.open("beat"))))
    logs.started("beat")
    started.append(("consumer", processes.start_consumer(env, output=logs.open("consumer"))))
    logs.started("consumer")
    started.append(("web", processes.start_web(env, args.port, output=logs.open("web"))))
    logs.started("web")

    _print_banner(args, aws_url, redis_note, stack, logs, demo_banner(demo_password))
    return _watch(started)


def _print_banner(
    args: argparse.Namespace, aws_url: str, redis_note: str, stack: processes.StackEnv, logs: LogStreams, demo: str
) -> None:
    print(
        "\nPhotoshare is running (Ctrl-C stops everything):\n"
        f"  web       http://127.0.0.1:{args.port}/  — sign in with the {demo}\n"
        f"            (or sign up: accounts in the emulator are confirmed at once)\n"
        f"  emulator  {aws_url}  (bucket {stack.bucket}, table {stack.table}, user pool {stack.cognito_pool_name})\n"
        f"  redis     {redis_note}\n"
        f"  worker    concurrency {args.workers}, queue photos; beat runs the recovery sweep\n"
        f"  consumer  objects written under uploads/<username>/ in the bucket become photos\n"
        f"  jobs      http://127.0.0.1:{args.port}/jobs  (Flower: make flower)\n"
        f"  logs      this terminal, prefixed [web] [worker] [beat] [consumer] [aws] [redis];\n"
        f"            copies in {logs.directory}/\n",
        flush=True,
    )


def _watch(started: list[tuple[str, subprocess.Popen]]) -> int:
    """Sleep until a child exits on its own; that is a failure of the whole stack."""
    while True:
        for name, proc in started:
            if proc.poll() is not None:
                print(
                    f"photoshare-dev: {name} exited unexpectedly (code {proc.returncode}); stopping the rest",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
