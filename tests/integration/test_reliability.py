"""Failure and recovery through real processes: killed workers, a crashed or restarted Redis,
deletes racing the job, transient AWS faults and a poison image.

One stack for the module (photoshare_devstack's DevStack): moto, a private redis-server with AOF
on, gunicorn, Celery beat running the recovery sweep every 2 s, and a worker started from
`tests.support.faulty_worker` (the product's app with fault hooks). Reliability settings are
small: time limit 10 s, stuck after 12 s, visibility timeout 20 s, at most 3 attempts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from photoshare_devstack.processes import pid_alive, pool_children
from photoshare_devstack.stack import NO_RATE_LIMITS, DevStack
from photoshare_shared.imageformats import THUMBNAIL_SPECS
from tests.support.client import ApiClient, accepted_id
from tests.support.faults import FAULTY_WORKER_APP, POISON_MARKER, SLOW_MARKER, arm_fault, fault_environ
from tests.support.images import seeded_jpeg
from tests.support.running import running
from tests.support.stored import ready_keys
from tests.support.waiting import SETTLED, wait_until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# Small numbers, consistent with the Settings invariants (visibility > limit + backoff, stuck > limit).
FAST_RECOVERY = {
    "PHOTOSHARE_TASK_TIME_LIMIT_S": "10",
    "PHOTOSHARE_RETRY_BACKOFF_MAX_S": "2",
    "PHOTOSHARE_VISIBILITY_TIMEOUT_S": "20",
    "PHOTOSHARE_STUCK_AFTER_S": "12",
    "PHOTOSHARE_SWEEP_INTERVAL_S": "2",
    "PHOTOSHARE_MAX_ATTEMPTS": "3",
}
MAX_ATTEMPTS = 3  # PHOTOSHARE_MAX_ATTEMPTS above


@pytest.fixture(scope="module")
def fault_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the faulty worker finds the faults a test arms."""
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="module")
def breakable_stack(tmp_path_factory: pytest.TempPathFactory, fault_dir: Path) -> Iterator[DevStack]:
    """The breakable stack, started once for this module; a missing redis-server fails loudly."""
    stack = DevStack.on_free_ports(
        tmp_path_factory.mktemp("reliability"),
        bucket="photoshare-rel",
        table="photoshare-rel-photos",
        # The faulty worker app is imported from the repository root.
        # Public uploads, so the anonymous jobs page names the failures these tests look for.
        extra_environ={
            **NO_RATE_LIMITS,
            **FAST_RECOVERY,
            **fault_environ(fault_dir),
            "PYTHONPATH": str(ROOT),
            "PHOTOSHARE_DEFAULT_VISIBILITY": "public",
        },
        worker_app=FAULTY_WORKER_APP,
    )
    with running(stack, workers=1):
        yield stack


@pytest.fixture(scope="module")
def client(breakable_stack: DevStack) -> ApiClient:
    """The API as a user of the breakable stack."""
    assert breakable_stack.pool is not None
    return ApiClient.for_new_account(breakable_stack.web_url, breakable_stack.settings, breakable_stack.pool)


@pytest.fixture
def breakable(breakable_stack: DevStack, fault_dir: Path) -> Iterator[DevStack]:
    """The stack, healthy at the start of each test: Redis up, exactly one worker, no faults armed."""
    stack = breakable_stack
    if not stack.running("redis"):
        stack.procs.pop("redis", None)
        stack.start_redis()
    for name in [name for name in stack.workers if not stack.running(name)]:
        stack.stop_worker(name)
    if not stack.workers:
        stack.start_worker()
    for path in fault_dir.iterdir():
        path.unlink()
    yield stack
    for name in ("web", "beat", "aws"):
        assert stack.running(name), f"{name} died during the test (exit code {stack.procs[name].returncode})"


def the_worker(stack: DevStack) -> str:
    """The name of the only worker running."""
    (name,) = stack.workers
    return name


def settled_items(stack: DevStack, photo_ids: set[str], timeout: float = 60) -> dict[str, Any]:
    """Every photo's item once READY or FAILED (or None once deleted)."""
    return wait_until(photo_ids, SETTLED, read=stack.item, timeout=timeout, gone_is_settled=True)


def item_when(stack: DevStack, photo_id: str, status: str, timeout: float = 30) -> dict[str, Any]:
    """The photo's item once its status is `status`."""
    return wait_until([photo_id], {status}, read=stack.item, timeout=timeout, interval=0.1)[photo_id]  # type: ignore[return-value]


def keys_of(stack: DevStack, photo_ids: set[str]) -> set[str]:
    """Every key in the bucket that belongs to one of these photos."""
    return {key for key in stack.s3_keys() if any(photo_id in key for photo_id in photo_ids)}


def assert_ready_with_exact_keys(stack: DevStack, photo_ids: set[str], timeout: float = 40) -> dict:
    """Every photo READY, and the bucket holds exactly its original and one object per derivative."""
    items = settled_items(stack, photo_ids, timeout=timeout)
    not_ready = {
        pid: (item or {}).get("status") for pid, item in items.items() if (item or {}).get("status") != "READY"
    }
    assert not not_ready, f"not READY: {not_ready}"
    expected = set().union(*(ready_keys(pid) for pid in photo_ids))
    assert keys_of(stack, photo_ids) == expected
    return items


def assert_no_trace(stack: DevStack, photo_id: str) -> None:
    """Neither DynamoDB nor S3 knows the photo."""
    assert stack.item(photo_id) is None
    assert keys_of(stack, {photo_id}) == set()


def queued_photo_ids(stack: DevStack) -> list[str]:
    """The photo ids of the process_photo messages waiting in Redis (sweep messages left out)."""
    client = stack.redis()
    try:
        raw = client.lrange("photos", 0, -1)
    finally:
        client.close()
    ids = []
    for message in raw:
        headers = json.loads(message)["headers"]
        if headers["task"] == "photoshare.process_photo":
            ids.append(headers["argsrepr"].strip("[]()'\", "))
    return ids


def test_worker_killed_mid_job(breakable: DevStack, client: ApiClient) -> None:
    """SIGKILL of a pool child, then of the worker's main process, mid-job: every photo ends READY,
    and each derivative exists once, under its one key."""
    started = time.monotonic()
    name = the_worker(breakable)
    slow = seeded_jpeg(marker=SLOW_MARKER, seed=1)

    # A pool child dies mid-job: the message is rejected back to the queue and redelivered.
    victim = accepted_id(client.upload(slow))
    behind = {accepted_id(client.upload(seeded_jpeg(seed=seed))) for seed in (2, 3)}
    item_when(breakable, victim, "PROCESSING")
    time.sleep(0.5)  # inside the (slow) render
    killed_child = breakable.kill_pool_child(name)
    items = assert_ready_with_exact_keys(breakable, {victim} | behind)
    assert items[victim]["attempts"] >= 2, items[victim]
    child_s = time.monotonic() - started

    # The main process dies mid-job (its pool child is orphaned); a new worker takes over.
    started = time.monotonic()
    # Other bytes than the first victim's: the same bytes again would be a duplicate of it.
    victim2 = accepted_id(client.upload(seeded_jpeg(marker=SLOW_MARKER, seed=6)))
    behind2 = {accepted_id(client.upload(seeded_jpeg(seed=seed))) for seed in (4, 5)}
    item_when(breakable, victim2, "PROCESSING")
    time.sleep(0.5)
    orphans = breakable.kill_worker_main(name)
    breakable.start_worker()
    try:
        items2 = assert_ready_with_exact_keys(breakable, {victim2} | behind2, timeout=60)
    finally:
        orphans_alive = [pid for pid in orphans if pid_alive(pid)]
        breakable.reap(orphans)
    print(
        f"\n[reliability] worker killed mid-job: pool child {killed_child} → READY after "
        f"{items[victim]['attempts']} attempts in {child_s:.1f}s; main process → READY after "
        f"{items2[victim2]['attempts']} attempt(s) in {time.monotonic() - started:.1f}s "
        f"(orphaned pool processes still alive afterwards: {len(orphans_alive)}); 3 keys per photo"
    )


def test_redis_down_during_upload_burst(breakable: DevStack, client: ApiClient) -> None:
    """Redis SIGKILLed during 20 concurrent uploads and started again (same port, AOF) once most were sent:
    every upload is accepted (202 QUEUED, none refused, never a 500), answered fast, and every photo
    is READY within 30 s of Redis returning, with exactly its objects."""
    started = time.monotonic()
    ids_before = breakable.item_ids()
    images = [seeded_jpeg(640, 480, seed=100 + i) for i in range(20)]

    sent_at: list[float] = []

    def one(index: int) -> tuple[requests.Response, float, float]:
        time.sleep(0.25 * index)  # a burst spread over ~5 s, most of it during the outage
        sent = time.monotonic()
        sent_at.append(sent)
        response = client.upload(images[index], f"burst-{index}.jpg")
        return response, sent, time.monotonic() - sent

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(one, i) for i in range(len(images))]
        time.sleep(1.2)
        breakable.stop_redis(crash=True)
        outage_started = time.monotonic()
        deadline = outage_started + 30
        while sum(t >= outage_started for t in sent_at) < 14 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        breakable.start_redis()
        redis_back = time.monotonic()
        answers = [future.result() for future in futures]

    responses = [response for response, _, _ in answers]
    during = [seconds for _, sent, seconds in answers if outage_started <= sent < redis_back]
    refused = [(r.status_code, r.text[:200]) for r in responses if r.status_code != 202]
    assert refused == [], refused
    assert {r.json()["status"] for r in responses} == {"QUEUED"}
    assert len(during) >= 14, f"only {len(during)} uploads met the outage: the test did not test anything"
    accepted_ids = {r.json()["id"] for r in responses}

    items = assert_ready_with_exact_keys(breakable, accepted_ids, timeout=30 - (time.monotonic() - redis_back))
    ready_s = time.monotonic() - redis_back
    assert breakable.item_ids() - ids_before == accepted_ids
    slowest_during = max(during)
    print(
        f"\n[reliability] Redis down {redis_back - outage_started:.1f}s during 20 uploads: 20x202 "
        f"(0 refused); the {len(during)} sent during the outage answered in at most {slowest_during:.2f}s; all READY "
        f"{ready_s:.1f}s after Redis returned (max attempts {max(int(i['attempts']) for i in items.values())}), "
        f"{time.monotonic() - started:.1f}s in all"
    )


def test_redis_restart_keeps_queued_jobs(breakable: DevStack, client: ApiClient) -> None:
    """Jobs waiting in Redis survive a Redis restart (AOF) and all complete once a worker starts."""
    started = time.monotonic()
    breakable.stop_worker(the_worker(breakable))
    photo_ids = [accepted_id(client.upload(seeded_jpeg(seed=200 + i))) for i in range(5)]
    assert sorted(queued_photo_ids(breakable)) == sorted(photo_ids)

    breakable.stop_redis()
    breakable.start_redis()
    assert sorted(queued_photo_ids(breakable)) == sorted(photo_ids), "the queued jobs did not survive the restart"

    breakable.start_worker()
    assert_ready_with_exact_keys(breakable, set(photo_ids), timeout=30)
    print(
        f"\n[reliability] Redis restarted with 5 jobs queued: all kept (AOF) and READY in "
        f"{time.monotonic() - started:.1f}s"
    )


def test_worker_started_before_redis(breakable: DevStack, client: ApiClient) -> None:
    """A worker started while Redis is down keeps retrying, connects when Redis appears, and works."""
    started = time.monotonic()
    breakable.stop_worker(the_worker(breakable))
    breakable.stop_redis()
    name = breakable.start_worker(wait=False)
    time.sleep(3)
    assert breakable.workers[name].poll() is None, "the worker gave up while Redis was down"
    breakable.start_redis()
    redis_back = time.monotonic()
    breakable.wait_for_worker(name)
    connected_s = time.monotonic() - redis_back
    photo_id = accepted_id(client.upload(seeded_jpeg(seed=300)))
    assert_ready_with_exact_keys(breakable, {photo_id}, timeout=30)
    print(
        f"\n[reliability] worker started before Redis: answered {connected_s:.1f}s after Redis came up, "
        f"processed a photo; {time.monotonic() - started:.1f}s in all"
    )


def test_delete_while_queued_and_while_processing(breakable: DevStack, client: ApiClient) -> None:
    """Deleting a QUEUED photo and a PROCESSING one leaves no item and no object, also after the jobs ran."""
    started = time.monotonic()
    running = accepted_id(client.upload(seeded_jpeg(marker=SLOW_MARKER, seed=400)))
    item_when(breakable, running, "PROCESSING")
    waiting = accepted_id(client.upload(seeded_jpeg(seed=401)))  # behind the slow job (concurrency 1)
    assert breakable.item(waiting)["status"] == "QUEUED"
    assert client.delete_photo(waiting).status_code == 204
    assert breakable.item(running)["status"] == "PROCESSING"
    assert client.delete_photo(running).status_code == 204
    for photo_id in (waiting, running):
        assert_no_trace(breakable, photo_id)
        assert requests.get(breakable.url(f"/api/photos/{photo_id}"), timeout=10).status_code == 404

    # Both jobs run to their end: the slow one finishes rendering and must not bring anything back.
    breakable.wait_idle(timeout=30)
    time.sleep(1)
    for photo_id in (waiting, running):
        assert_no_trace(breakable, photo_id)
    log = breakable.worker_logs()
    print(
        f"\n[reliability] deleted one photo while QUEUED and one while PROCESSING: no item, no object "
        f"after the jobs ran (worker saw 'deleted-meanwhile': {'deleted-meanwhile' in log}); "
        f"{time.monotonic() - started:.1f}s"
    )


def test_transient_aws_faults_are_retried(breakable: DevStack, client: ApiClient, fault_dir: Path) -> None:
    """Injected S3 503s, DynamoDB throttling and a network error: the photos still end READY,
    each fault visible as one more attempt and a retry in the worker log."""
    started = time.monotonic()
    retries_before = breakable.worker_logs().count("transient error, retry")
    # Round 1: a thumbnail PUT answered 503 SlowDown, the READY update throttled.
    arm_fault(fault_dir, "s3.PutObject", 1, match="thumbnails/", error="5xx")
    arm_fault(fault_dir, "dynamodb.UpdateItem", 1, match="SET #status = :ready", error="throttle")
    round1 = {accepted_id(client.upload(seeded_jpeg(seed=500 + i))) for i in range(3)}
    items = assert_ready_with_exact_keys(breakable, round1, timeout=30)
    attempts1 = sorted(int(item["attempts"]) for item in items.values())
    # Each fault hit after the attempt was counted: exactly one extra attempt per fault.
    assert sum(attempts1) == len(round1) + 2, attempts1
    # Round 2: reading the original fails with a connection error.
    arm_fault(fault_dir, "s3.GetObject", 1, error="network")
    round2 = accepted_id(client.upload(seeded_jpeg(seed=510)))
    items2 = assert_ready_with_exact_keys(breakable, {round2}, timeout=30)
    assert int(items2[round2]["attempts"]) == 2, items2

    for operation in ("s3.PutObject", "dynamodb.UpdateItem", "s3.GetObject"):
        assert json.loads((fault_dir / operation).read_text())["remaining"] == 0, operation
    injected = (fault_dir / "injected.log").read_text().splitlines()
    assert len(injected) == 3, injected
    retries = breakable.worker_logs().count("transient error, retry") - retries_before
    assert retries == 3, retries
    print(
        f"\n[reliability] 3 injected transient faults (S3 503, DynamoDB throttle, S3 network): "
        f"4 photos READY, attempts {attempts1 + [int(items2[round2]['attempts'])]}, {retries} retries logged; "
        f"{time.monotonic() - started:.1f}s"
    )


def test_poison_image_fails_and_others_go_on(breakable: DevStack, client: ApiClient) -> None:
    """An image that kills its pool process every time ends FAILED "gave up after N attempts";
    photos uploaded alongside end READY and the worker keeps serving."""
    started = time.monotonic()
    name = the_worker(breakable)
    main_pid = breakable.workers[name].pid
    poison = accepted_id(client.upload(seeded_jpeg(marker=POISON_MARKER, seed=600), "poison.jpg"))
    others = {accepted_id(client.upload(seeded_jpeg(seed=601 + i))) for i in range(3)}

    items = settled_items(breakable, {poison} | others, timeout=60)
    assert items[poison]["status"] == "FAILED", items[poison]
    assert items[poison]["error"] == f"gave up after {MAX_ATTEMPTS} attempts", items[poison]
    assert_ready_with_exact_keys(breakable, others)
    # A FAILED photo keeps its original (so it can be retried) and no derivative.
    assert keys_of(breakable, {poison}) == {f"originals/{poison}"}

    # The same worker (its main process never died) still serves.
    assert breakable.workers[name].poll() is None and pid_alive(main_pid)
    assert pool_children(main_pid), "the worker has no pool process left"
    after = accepted_id(client.upload(seeded_jpeg(seed=610)))
    assert_ready_with_exact_keys(breakable, {after}, timeout=30)
    failures = requests.get(breakable.url("/api/jobs"), timeout=10).json()["recent_failures"]
    assert any(f["id"] == poison and "gave up" in f["reason"] for f in failures), failures
    print(
        f"\n[reliability] poison image killed its pool process {int(items[poison]['attempts']) - 1} times, "
        f"then FAILED '{items[poison]['error']}'; 4 other photos READY on the same worker; "
        f"{time.monotonic() - started:.1f}s"
    )


def test_delete_during_a_run_that_then_fails_leaves_no_object(
    breakable: DevStack, client: ApiClient, fault_dir: Path
) -> None:
    """Delete while PROCESSING, then the run's last derivative PUT fails transiently: nothing may remain."""
    last = THUMBNAIL_SPECS[-1]
    arm_fault(fault_dir, "s3.PutObject", 1, match=f"/{last.name}.{last.extension}", error="network")
    photo_id = accepted_id(client.upload(seeded_jpeg(marker=SLOW_MARKER, seed=700)))
    item_when(breakable, photo_id, "PROCESSING")
    assert client.delete_photo(photo_id).status_code == 204
    breakable.wait_idle(timeout=30)
    leftovers = keys_of(breakable, {photo_id})
    print(f"\n[reliability] delete during a run whose last PUT failed: left behind {sorted(leftovers)}")
    assert leftovers == set()


def test_jobs_overview_answers_while_redis_is_down(breakable: DevStack) -> None:
    """The operator's jobs overview must still answer (counts come from DynamoDB) when the broker is down."""
    breakable.stop_redis()
    try:
        response = requests.get(breakable.url("/api/jobs"), timeout=20)
    finally:
        breakable.start_redis()
    print(f"\n[reliability] GET /api/jobs with Redis down: {response.status_code} {response.text[:80]}")
    assert response.status_code == 200, response.text
