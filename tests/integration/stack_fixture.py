"""The real stack for integration and browser tests: moto server, redis-server, a Celery worker and gunicorn.

Loaded as a pytest plugin by tests/conftest.py, so one session stack serves every tier that needs it.
"""

import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import faultstack
import pytest
import requests
from testaccounts import Account, api_session, create_account

from photoshare_devstack import processes
from photoshare_shared.aws import make_client, make_table
from photoshare_shared.provision import ensure_resources
from photoshare_shared.settings import Settings
from photoshare_shared.userpool import UserPoolIds

# The stack of this session, so a failing test's report can carry the servers' log tails.
_ACTIVE: "Stack | None" = None


@dataclass
class Stack:
    """Addresses of the running stack, and clients to check what it stored."""

    web_url: str
    aws_endpoint_url: str
    redis_url: str
    settings: Settings
    s3: Any
    table: Any
    log_dir: Path
    pool: UserPoolIds
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.user = self.new_account()
        self.api = api_session(self.user)  # uploads, deletes and retries as the stack's test user

    def url(self, path: str) -> str:
        """Absolute URL of a path of the web app."""
        return self.web_url + path

    def new_account(self, username: str | None = None) -> Account:
        """A new confirmed user of the stack's pool, signed in."""
        return create_account(make_client("cognito-idp", self.settings), self.pool, username)

    def api_as(self, account: Account) -> requests.Session:
        """An API session as another account."""
        return api_session(account)

    def wait_for_status(self, photo_id: str, statuses: Iterable[str], timeout: float = 30) -> dict[str, Any]:
        """Poll GET /api/photos/<id> until its status is one of `statuses`; return the JSON."""
        wanted = set(statuses)
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            response = requests.get(self.url(f"/api/photos/{photo_id}"), timeout=5)
            last = response.json() if response.status_code == 200 else response.status_code
            if response.status_code == 200 and last["status"] in wanted:
                return last
            time.sleep(0.05)
        pytest.fail(f"photo {photo_id} not in {sorted(wanted)} after {timeout}s; last answer: {last}")

    def s3_keys(self) -> set[str]:
        """Every key in the bucket."""
        paginator = self.s3.get_paginator("list_objects_v2")
        return {
            obj["Key"] for page in paginator.paginate(Bucket=self.settings.bucket) for obj in page.get("Contents", [])
        }

    def item_ids(self) -> set[str]:
        """Every photo id in the table (a Scan is fine in a test, never in the app)."""
        items, kwargs = [], {"ProjectionExpression": "photo_id", "ConsistentRead": True}
        while True:
            page = self.table.scan(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return {item["photo_id"] for item in items}
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def log_tail(self, name: str, lines: int = 80) -> str:
        """The last lines of one server's log."""
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return f"(no {path})"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _tails(log_dir: Path, names: Iterable[str], lines: int = 60) -> str:
    parts = []
    for name in names:
        path = log_dir / f"{name}.log"
        text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
        parts.append(f"----- {name} log ({path}), last lines -----\n" + "\n".join(text))
    return "\n".join(parts)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole stack on free ports, started once per session and always torn down."""
    global _ACTIVE
    root = tmp_path_factory.mktemp("stack")
    log_dir = root / "logs"
    log_dir.mkdir()
    started: list[tuple[str, subprocess.Popen]] = []
    log_files: list[IO[bytes]] = []

    def launch(name: str, start: Callable[[IO[bytes]], subprocess.Popen]) -> subprocess.Popen:
        log = (log_dir / f"{name}.log").open("wb")
        log_files.append(log)
        proc = start(log)
        started.append((name, proc))
        return proc

    try:
        try:
            aws_port, redis_port, web_port = (processes.free_port() for _ in range(3))
            aws_url = f"http://127.0.0.1:{aws_port}"
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            launch("aws", lambda out: processes.start_moto(aws_port, output=out))
            # Its own server on a free port: tests must never touch the machine's Redis on 6379.
            launch(
                "redis",
                lambda out: processes.start_redis(redis_port, appendonly=False, workdir=root / "redis", output=out),
            )
            env = processes.StackEnv(
                redis_url=redis_url,
                aws_endpoint_url=aws_url,
                bucket="photoshare-it",
                table="photoshare-it-photos",
            )
            settings = env.settings()
            # Browsers on the stack's site send upload parts to the emulator's bucket.
            pool = ensure_resources(settings, site_origin=f"http://127.0.0.1:{web_port}")
            # Every tier's tests upload and sign in from 127.0.0.1 into this one stack, far faster
            # than a person (the limits themselves are tested in the unit tier).
            environ = {
                **env.environ(),
                "PHOTOSHARE_UPLOAD_RATE_LIMIT": "100000 per minute",
                "PHOTOSHARE_SIGNIN_RATE_LIMIT": "100000 per minute",
            }
            launch("worker", lambda out: processes.start_worker(environ, concurrency=1, output=out))
            launch("consumer", lambda out: processes.start_consumer(environ, output=out))
            launch("web", lambda out: processes.start_web(environ, web_port, output=out))
        except Exception as error:
            # A failure, never a skip: a CI machine without redis-server must go red.
            tails = _tails(log_dir, sorted(path.stem for path in log_dir.glob("*.log")))
            pytest.fail(f"could not start the stack: {type(error).__name__}: {error}\n{tails}")
        stack = Stack(
            web_url=f"http://127.0.0.1:{web_port}",
            aws_endpoint_url=aws_url,
            redis_url=redis_url,
            settings=settings,
            s3=make_client("s3", settings),
            table=make_table(settings),
            log_dir=log_dir,
            pool=pool,
            processes=dict(started),
        )
        _ACTIVE = stack
        yield stack
    finally:
        _ACTIVE = None
        for _, proc in reversed(started):
            processes.stop(proc, timeout=10)
        for log in log_files:
            log.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the worker's and web's log tails to the report of a failing test."""
    report = yield
    if report.failed and _ACTIVE is not None:
        for name in ("worker", "web"):
            report.sections.append((f"{name} log, last lines", _ACTIVE.log_tail(name)))
        for name, proc in _ACTIVE.processes.items():
            if proc.poll() is not None:
                report.sections.append((f"{name} died", f"{name} exited with code {proc.returncode}"))
    if report.failed:
        for breakable in faultstack.ACTIVE:  # the reliability tests' own stack
            report.sections.extend(breakable.diagnostics())
    return report
