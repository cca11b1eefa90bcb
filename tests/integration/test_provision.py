"""`python -m photoshare_shared.provision` (compose's init service) against a real emulator: it
prints a demo account that signs in on the web, and running it again gives a fresh password."""

import re
import subprocess
import sys

import pytest
import requests

from photoshare_devstack import processes

pytestmark = pytest.mark.integration


def provision(stack) -> tuple[str, str]:
    env = processes.StackEnv(
        redis_url=stack.redis_url,
        aws_endpoint_url=stack.aws_endpoint_url,
        bucket=stack.settings.bucket,
        table=stack.settings.table,
    ).environ()
    done = subprocess.run(
        [sys.executable, "-m", "photoshare_shared.provision"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    match = re.search(r"^demo account: username (\S+), password (\S+)$", done.stdout, re.MULTILINE)
    assert match, done.stdout + done.stderr
    assert stack.pool.user_pool_id in done.stdout  # the pool that was there already, not a second one
    return match.group(1), match.group(2)


def sign_in(stack, username: str, password: str) -> requests.Response:
    return requests.post(stack.url("/api/auth/token"), json={"username": username, "password": password}, timeout=10)


def test_the_demo_account_signs_in_and_a_rerun_replaces_its_password(stack):
    username, first = provision(stack)
    assert username == "demo"
    assert sign_in(stack, username, first).status_code == 200
    _, second = provision(stack)
    assert second != first
    assert sign_in(stack, username, first).status_code == 401
    assert sign_in(stack, username, second).status_code == 200
