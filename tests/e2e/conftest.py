"""The compose stack, built and run for real under a project name of its own (`make test-compose`)."""

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from photoshare_devstack.processes import StartupError, free_ports, wait_for_http
from photoshare_shared.settings import Settings
from photoshare_shared.userpool import UserPoolIds, find_user_pool
from tests.support.client import ApiClient
from tests.support.waiting import SETTLED, wait_until

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts"

# Recovery bounds shorter than production's, so a job stranded by a killed worker comes back
# within seconds instead of minutes. They keep the invariants Settings enforces (stuck-after >
# hard limit; visibility timeout > hard limit + longest retry delay). The visibility timeout
# stays at its production value (600 s): nothing in the test can be redelivered by Redis, so
# whatever comes back after a kill was brought back by the recovery sweep.
STACK_ENV = {
    "PHOTOSHARE_TASK_TIME_LIMIT_S": "20",
    "PHOTOSHARE_RETRY_BACKOFF_MAX_S": "5",
    "PHOTOSHARE_STUCK_AFTER_S": "30",
    "PHOTOSHARE_SWEEP_INTERVAL_S": "5",
    # The bursts below come from one client address, faster than a person uploads.
    "PHOTOSHARE_UPLOAD_RATE_LIMIT": "10000 per minute",
    # Not the default: the web's limit and the proxy's must both follow the setting.
    "PHOTOSHARE_MAX_UPLOAD_MB": "5",
}
# Variables the compose files read; the developer's own values must not leak into the test.
_FOREIGN_PREFIXES = ("PHOTOSHARE_", "AWS_", "COMPOSE_", "REDIS_URL", "WEB_", "FLOWER_PORT", "IMAGE_TAG")

# Timings shown in the terminal summary.
TIMINGS: dict[str, float] = {}
_ACTIVE: "ComposeStack | None" = None


def _compose_command() -> list[str]:
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("Docker Compose is not installed (neither `docker compose` nor `docker-compose`)")


@dataclass
class ComposeStack:
    """One running compose project, driven through its published ports (as DevStack is locally:
    `web_url`, `url()`, the emulator's `settings` and user `pool`)."""

    project: str
    command: list[str]
    env: dict[str, str]
    env_file: Path
    web_url: str
    aws_url: str
    timings: dict[str, float] = field(default_factory=dict)
    api: ApiClient | None = None  # signed in once the stack is up
    pool: UserPoolIds | None = None

    @property
    def settings(self) -> Settings:
        """Settings that reach the stack's emulator from this machine."""
        return Settings(aws_endpoint_url=self.aws_url, redis_url="redis://unused")

    def compose(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        """Run `docker compose -p <project> ARGS` in the repository root."""
        result = subprocess.run(
            [*self.command, "--env-file", str(self.env_file), "-p", self.project, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            pytest.fail(f"`compose {' '.join(args)}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def container_ids(self, service: str) -> list[str]:
        """Full ids of the running containers of one service."""
        return self.compose("ps", "-q", service).stdout.split()

    def logs(self, tail: int = 100) -> str:
        """`docker compose logs --tail=N` of every service."""
        result = self.compose("logs", "--no-color", f"--tail={tail}", check=False, timeout=60)
        return result.stdout + result.stderr

    def url(self, path: str) -> str:
        """Absolute URL of a path of the web service."""
        return self.web_url + path

    def wait_until_done(self, ids: Iterable[str], timeout: float) -> dict[str, dict[str, Any]]:
        """Every photo's JSON once READY or FAILED, with when (monotonic) it was seen so (`_done_at`)."""
        assert self.api is not None

        def read(photo_id: str) -> dict[str, Any] | None:
            photo = self.api.photo(photo_id)
            return photo and {**photo, "_done_at": time.monotonic()}

        return wait_until(ids, SETTLED, read=read, timeout=timeout, interval=0.25)  # type: ignore[return-value]


def _signed_in(stack: ComposeStack) -> ApiClient:
    """An API client as a new account of the pool the init service made in the stack's emulator."""
    stack.pool = find_user_pool(stack.settings)
    if stack.pool is None:
        pytest.fail(f"no user pool in the stack's emulator:\n{stack.logs(tail=50)}")
    return ApiClient.for_new_account(stack.web_url, stack.settings, stack.pool)


@pytest.fixture(scope="session")
def compose_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ComposeStack]:
    """Build the images, start the stack on free ports, and always take it down again (`down -v`)."""
    global _ACTIVE
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        pytest.fail("no Docker engine answers `docker info`; start one (CI: .ci/run does) and retry")
    empty_env_file = tmp_path_factory.mktemp("compose") / "empty.env"
    empty_env_file.write_text("")  # ignore a developer's .env: the test sets what it needs
    web_port, aws_port, flower_port = free_ports(3)
    env = {key: value for key, value in os.environ.items() if not key.startswith(_FOREIGN_PREFIXES)}
    env.update(
        STACK_ENV,
        WEB_PORT=str(web_port),
        AWS_PORT=str(aws_port),
        FLOWER_PORT=str(flower_port),
        PHOTOSHARE_S3_PUBLIC_ENDPOINT_URL=f"http://127.0.0.1:{aws_port}",
        IMAGE_TAG="e2e",
    )
    stack = ComposeStack(
        project=f"photoshare-e2e-{uuid.uuid4().hex[:8]}",
        command=_compose_command(),
        env=env,
        env_file=empty_env_file,
        web_url=f"http://127.0.0.1:{web_port}",
        aws_url=f"http://127.0.0.1:{aws_port}",
        timings=TIMINGS,
    )
    _ACTIVE = stack
    try:
        started = time.monotonic()
        stack.compose("build", timeout=900)
        stack.timings["build_s"] = time.monotonic() - started
        stack.timings["up_started_at"] = time.monotonic()
        stack.compose("up", "-d", "--no-build", timeout=300)
        try:
            wait_for_http(stack.url("/readyz"), 120)
        except StartupError as error:
            pytest.fail(f"the web service was not ready: {error}")
        stack.timings["up_to_ready_s"] = time.monotonic() - stack.timings["up_started_at"]
        stack.api = _signed_in(stack)
        yield stack
    finally:
        _ACTIVE = None
        stack.compose("down", "-v", "--remove-orphans", "--timeout", "20", check=False, timeout=300)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing test's report carries `docker compose logs --tail=100`; the full logs go to test-artifacts/."""
    report = yield
    if report.failed and _ACTIVE is not None:
        report.sections.append(("docker compose logs --tail=100", _ACTIVE.logs(tail=100)))
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{_ACTIVE.project}.log").write_text(_ACTIVE.logs(tail=100_000))
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the stack's timings when the compose tests ran."""
    shown = {key: value for key, value in TIMINGS.items() if not key.endswith("_at")}
    if shown:
        terminalreporter.section("compose timings")
        for key, value in shown.items():
            terminalreporter.write_line(f"{key}: {value:.1f}")
