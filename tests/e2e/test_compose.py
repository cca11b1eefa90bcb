"""`docker compose up` runs the whole stack; workers scale; a killed worker loses no photo.

The tests marked `compose` need a Docker engine and run with `make test-compose`; `make test`
leaves them out. They share one stack (tests/e2e/conftest.py) and run in file order.
"""

import concurrent.futures
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml

from photoshare_shared.settings import Settings
from tests.support.images import CAMERA_EXIF, distinct, photo_bytes

ROOT = Path(__file__).parents[2]
BURST = 60


def _env_names(field_name: str) -> list[str]:
    alias = Settings.model_fields[field_name].validation_alias
    if alias is None:
        return [f"PHOTOSHARE_{field_name.upper()}"]
    return [alias] if isinstance(alias, str) else list(alias.choices)


def test_compose_passes_every_setting_to_the_app_containers():
    """Docker-free: a setting missing from compose.yaml could not be changed under compose."""
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    for name in ("init", "web", "worker", "beat", "flower"):
        environment = services[name]["environment"]
        missing = [_env_names(f)[-1] for f in Settings.model_fields if not set(_env_names(f)) & set(environment)]
        assert missing == [], f"{name}: add these to x-app-environment in compose.yaml"


@pytest.mark.compose
@pytest.mark.timeout(600)
def test_uploaded_photos_become_ready(compose_stack):
    stack = compose_stack
    ids = [stack.api.upload_id(photo_bytes(1600, 1200, exif=CAMERA_EXIF), f"compose-{n}.jpg") for n in range(3)]

    done = stack.wait_until_done(ids, timeout=120)

    stack.timings["up_to_first_ready_s"] = min(p["_done_at"] for p in done.values()) - stack.timings["up_started_at"]
    assert {p["status"] for p in done.values()} == {"READY"}, done
    photo = done[ids[0]]
    assert photo["exif"]["make"] == "Canon"
    # Presigned for the emulator's port on this machine, so a browser here can load it.
    thumbnail = requests.get(photo["thumbnails"]["small"]["url"], timeout=10)
    assert thumbnail.status_code == 200
    assert thumbnail.headers["Content-Type"].startswith("image/")


@pytest.mark.compose
def test_init_prints_a_demo_account_that_signs_in(compose_stack):
    stack = compose_stack
    logs = stack.compose("logs", "--no-color", "init").stdout
    match = re.search(r"demo account: username (\S+), password (\S+)", logs)
    assert match, logs
    username, password = match.groups()
    token = requests.post(stack.url("/api/auth/token"), json={"username": username, "password": password}, timeout=10)
    assert token.status_code == 200, token.text
    refused = requests.post(stack.url("/api/photos"), files={"file": ("a.jpg", photo_bytes(64, 48))}, timeout=10)
    assert refused.status_code == 401  # nobody writes anonymously
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    accepted = requests.post(
        stack.url("/api/photos"), files={"file": ("a.jpg", photo_bytes(64, 48))}, headers=bearer, timeout=10
    )
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["owner"] == username


@pytest.mark.compose
@pytest.mark.timeout(600)
def test_workers_scale_and_the_jobs_api_sees_them(compose_stack):
    stack = compose_stack
    stack.compose("up", "-d", "--no-build", "--scale", "worker=3")
    containers = stack.container_ids("worker")
    assert len(containers) == 3

    deadline, workers = time.monotonic() + 90, []
    while time.monotonic() < deadline:
        workers = stack.api.jobs()["workers"]
        if len(workers) == 3:
            break
        time.sleep(1)

    # A worker's default name is celery@<its container's short id>.
    assert sorted(w["name"] for w in workers) == sorted(f"celery@{c[:12]}" for c in containers)
    assert all(w["concurrency"] == 2 for w in workers)


@pytest.mark.compose
@pytest.mark.timeout(600)
def test_a_worker_killed_mid_job_loses_no_photo(compose_stack):
    stack = compose_stack
    # A backlog first, with no worker running, then one worker: while the backlog lasts both of its
    # pool processes are busy, so killing it is sure to cut jobs short.
    stack.compose("up", "-d", "--no-build", "--scale", "worker=0")
    image = photo_bytes(2400, 1600, exif=CAMERA_EXIF)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda n: stack.api.upload_id(distinct(image), f"burst-{n}.jpg"), range(BURST)))
    backlog = stack.api.jobs()["queue_depth"]
    assert backlog >= BURST
    stack.compose("up", "-d", "--no-build", "--scale", "worker=1")
    deadline = time.monotonic() + 90
    while (depth := stack.api.jobs()["queue_depth"]) > backlog - 4:  # it has taken jobs and finished some
        assert time.monotonic() < deadline, "the worker did not start taking jobs"
        time.sleep(0.05)
    assert depth > 0, "the backlog was gone before the kill; the test would prove nothing"
    (victim,) = stack.container_ids("worker")
    subprocess.run(["docker", "kill", victim], check=True, capture_output=True)
    killed_at = time.monotonic()
    stack.compose("up", "-d", "--no-build", "--scale", "worker=3")

    done = stack.wait_until_done(ids, timeout=180)

    assert {p["status"] for p in done.values()} == {"READY"}, {i: p["status"] for i, p in done.items()}
    # A job cut short by the kill ran again (attempts counts runs). Redis would redeliver it
    # only after its visibility timeout (600 s, far from over): the recovery sweep brought it back.
    rerun = [i for i, p in done.items() if p["attempts"] >= 2]
    assert rerun, "killing the worker interrupted no job; the test proved nothing"
    stack.timings["kill_to_all_ready_s"] = max(p["_done_at"] for p in done.values()) - killed_at
    stack.timings["jobs_rerun_after_kill"] = len(rerun)
    # Every upload is in its owner's photos exactly once (private by default: not in the gallery).
    listed = stack.api.photo_ids(owner="me")
    assert sorted(i for i in listed if i in done) == sorted(ids)
