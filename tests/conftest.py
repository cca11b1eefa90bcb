"""Fixtures of the tiers that need the real local stack (integration and browser tests)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from photoshare_devstack.stack import NO_RATE_LIMITS, DevStack
from tests.support.client import ApiClient
from tests.support.running import running


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """The whole stack on free ports (moto, a private redis-server, one worker, gunicorn), started
    once per session and always torn down."""
    local = DevStack.on_free_ports(
        tmp_path_factory.mktemp("stack"),
        bucket="photoshare-it",
        table="photoshare-it-photos",
        extra_environ=NO_RATE_LIMITS,
        redis_appendonly=False,
    )
    with running(local, workers=1, beat=False):
        yield local


@pytest.fixture(scope="session")
def new_account(stack: DevStack) -> Callable[..., ApiClient]:
    """Makes a new confirmed user of the stack's pool: an API client signed in as it (`.account`)."""
    assert stack.pool is not None

    def make(username: str | None = None) -> ApiClient:
        return ApiClient.for_new_account(stack.web_url, stack.settings, stack.pool, username)

    return make


@pytest.fixture(scope="session")
def api(new_account: Callable[..., ApiClient]) -> ApiClient:
    """The API as the stack's test user: uploads, deletes and retries."""
    return new_account()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing test's report carries the log tails of the local stacks it used, and which parts died."""
    report = yield
    if report.failed:
        stacks = {id(value): value for value in getattr(item, "funcargs", {}).values() if isinstance(value, DevStack)}
        for local in stacks.values():
            report.sections.extend(local.diagnostics())
    return report
