"""`make dev` (photoshare-dev) as a person runs it: the stack comes up, the banner names a demo
account that signs in and uploads a photo that turns READY, and Ctrl-C stops everything."""

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from photoshare_devstack import processes
from tests.support.client import ApiClient
from tests.support.images import photo_bytes

pytestmark = pytest.mark.integration


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def _read_until(lines: queue.Queue, pattern: str, timeout: float, seen: list[str]) -> re.Match:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if match := re.search(pattern, line):
            return match
    pytest.fail(f"photoshare-dev never printed {pattern!r}:\n{''.join(seen[-60:])}")


@pytest.mark.timeout(180)
def test_make_dev_prints_a_demo_account_that_uploads_and_ctrl_c_stops_all(tmp_path: Path):
    web_port, aws_port, redis_port = processes.free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PHOTOSHARE_", "REDIS_URL"))}
    # Nothing answers there, so the command starts a redis-server of its own (never the machine's).
    env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    proc = subprocess.Popen(
        [sys.executable, "-m", "photoshare_devstack.cli", "--port", str(web_port), "--aws-port", str(aws_port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        demo = _read_until(lines, r"demo account: username (\S+), password (\S+)", 120, seen)
        api = ApiClient.signed_in(f"http://127.0.0.1:{web_port}", demo.group(1), demo.group(2))
        upload = api.upload(photo_bytes(), "dev.jpg")
        assert upload.status_code == 202, upload.text
        photo = api.wait_for(upload.json()["id"], {"READY"}, timeout=60)
        assert photo["status"] == "READY"
        assert upload.json()["owner"] == "demo"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: the whole process group
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    _read_until(lines, r"stopped aws", 10, seen)
    assert code == 0, "".join(seen[-40:])
    assert processes.port_is_free("127.0.0.1", web_port) and processes.port_is_free("127.0.0.1", aws_port)
