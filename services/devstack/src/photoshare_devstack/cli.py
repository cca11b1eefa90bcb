"""`photoshare-dev` (`make dev`): the whole stack on this machine, without Docker."""

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from photoshare_devstack import processes
from photoshare_devstack.logstream import LogStreams
from photoshare_devstack.stack import DevStack
from photoshare_devstack.stackenv import kept_secret_key
from photoshare_shared.provision import demo_banner, ensure_demo_user
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
    stack = _stack(args, dev_dir)
    # Explicit, because a shell starting us in the background may have set SIGINT to ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sigterm)
    code = 0
    try:
        code = _run(args, stack)
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
        stack.close(on_stopped=lambda name: print(f"photoshare-dev: stopped {name}", flush=True))
    return code


def _stack(args: argparse.Namespace, dev_dir: Path) -> DevStack:
    """The stack on the ports asked for; Redis is started here only if none answers at REDIS_URL."""
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    redis_port = None
    if not processes.redis_answers(redis_url):
        redis_port = 6379 if processes.port_is_free("127.0.0.1", 6379) else processes.free_port()
        print(f"photoshare-dev: no Redis answers at {redis_url}; starting redis-server on port {redis_port}")
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
    configured = Settings()  # bucket, table and region may come from PHOTOSHARE_* / AWS_REGION
    env = processes.StackEnv(
        redis_url=redis_url,
        aws_endpoint_url=f"http://127.0.0.1:{args.aws_port}",
        bucket=configured.bucket,
        table=configured.table,
        aws_region=configured.aws_region,
        cognito_pool_name=configured.cognito_pool_name,
        secret_key=configured.secret_key or kept_secret_key(dev_dir),
    )
    return DevStack(
        dev_dir,
        env,
        web_port=args.port,
        aws_port=args.aws_port,
        redis_port=redis_port,
        logs=LogStreams(dev_dir / "logs"),
    )


def _run(args: argparse.Namespace, stack: DevStack) -> int:
    """Bring the stack up, then watch it; returns the exit code when a child dies."""
    stack.start(workers=1, concurrency=args.workers)
    assert stack.pool is not None  # start() made the emulator's resources
    demo_password = ensure_demo_user(stack.settings, stack.pool)
    if stack.redis_port is None:
        redis_note = f"{stack.redis_url} (already running, not started here)"
    else:
        redis_note = f"{stack.redis_url} (redis-server, data in {stack.root / 'redis'})"
    _print_banner(args, stack, redis_note, demo_banner(demo_password))
    return _watch(stack)


def _print_banner(args: argparse.Namespace, stack: DevStack, redis_note: str, demo: str) -> None:
    env = stack.env
    print(
        "\nPhotoshare is running (Ctrl-C stops everything):\n"
        f"  web       {stack.web_url}/  — sign in with the {demo}\n"
        f"            (or sign up: accounts in the emulator are confirmed at once)\n"
        f"  emulator  {stack.aws_endpoint_url}  (bucket {env.bucket}, table {env.table}, "
        f"user pool {env.cognito_pool_name})\n"
        f"  redis     {redis_note}\n"
        f"  worker    concurrency {args.workers}, queue photos; beat runs the recovery sweep\n"
        f"  consumer  objects written under uploads/<username>/ in the bucket become photos\n"
        f"  jobs      {stack.web_url}/jobs  (Flower: make flower)\n"
        f"  logs      this terminal, prefixed [web] [worker] [beat] [consumer] [aws] [redis]; "
        f"copies in {stack.log_dir}/\n",
        flush=True,
    )


def _watch(stack: DevStack) -> int:
    """Sleep until a child exits on its own; that is a failure of the whole stack."""
    while (exited := stack.first_exited()) is None:
        time.sleep(0.5)
    name, code = exited
    print(f"photoshare-dev: {name} exited unexpectedly (code {code}); stopping the rest", file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
