"""Is it up yet? Free ports and readiness checks for the stack's processes."""

import contextlib
import socket
import subprocess
import time
import urllib.error
import urllib.request

import redis


class StartupError(RuntimeError):
    """A process of the stack did not come up."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    [port] = free_ports(1)
    return port


def free_ports(count: int) -> list[int]:
    """`count` different TCP ports on 127.0.0.1 that nothing listens on right now: all are held
    while they are picked, as one port released and asked for again may come back the same."""
    with contextlib.ExitStack() as held:
        socks = [held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]


def port_is_free(host: str, port: int) -> bool:
    """True when `host:port` can be bound (a listener on 0.0.0.0 also makes it busy)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Without SO_REUSEADDR a socket in TIME_WAIT from a previous run would look busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def check_alive(proc: subprocess.Popen | None, what: str) -> None:
    """Raise StartupError if `proc` already exited."""
    if proc is not None and proc.poll() is not None:
        raise StartupError(f"{what} exited with code {proc.returncode} while starting")


def wait_for_port(host: str, port: int, timeout: float, *, proc: subprocess.Popen | None = None) -> None:
    """Block until something accepts TCP connections on `host:port`."""
    deadline = time.monotonic() + timeout
    while True:
        check_alive(proc, f"the process for {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise StartupError(f"nothing listens on {host}:{port} after {timeout:.0f}s") from None
            time.sleep(0.1)


def wait_for_http(url: str, timeout: float, *, proc: subprocess.Popen | None = None) -> None:
    """Block until `url` answers a GET with a 2xx or 3xx status."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        check_alive(proc, f"the server of {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 400:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            last = str(error)
        if time.monotonic() > deadline:
            raise StartupError(f"{url} did not answer after {timeout:.0f}s ({last})")
        time.sleep(0.1)


def redis_answers(url: str) -> bool:
    """True when a Redis server at `url` answers PING within a second."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def wait_for_worker(redis_url: str, hostname: str, timeout: float, *, proc: subprocess.Popen | None = None) -> None:
    """Block until the Celery worker `hostname` answers a broadcast ping."""
    from celery import Celery  # imported late: only worker start-up needs it

    app = Celery("photoshare-devstack", broker=redis_url, set_as_current=False)
    deadline = time.monotonic() + timeout
    try:
        while True:
            check_alive(proc, f"celery worker {hostname}")
            if app.control.ping(destination=[hostname], timeout=0.5):
                return
            if time.monotonic() > deadline:
                raise StartupError(f"celery worker {hostname} did not answer after {timeout:.0f}s")
    finally:
        app.close()
