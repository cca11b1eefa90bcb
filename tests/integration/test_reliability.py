"""Failure and recovery through real processes: killed workers, a crashed or restarted Redis,
deletes racing the job, transient AWS faults and a poison image.

One stack for the module (see faultstack.py): moto, a private redis-server with AOF on, gunicorn,
Celery beat running the recovery sweep every 2 s, and a worker started from `faulty_worker`
(the product's app with fault hooks). Reliability settings are small: time limit 10 s, stuck
after 12 s, visibility timeout 20 s, at most 3 attempts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from faultstack import FaultStack, make_jpeg, pid_alive, pool_children
from faulty_worker import POISON_MARKER, SLOW_MARKER, arm_fault

from photoshare_devstack import processes
from photoshare_shared.imageformats import THUMBNAIL_SPECS

pytestmark = pytest.mark.integration

MAX_ATTEMPTS = 3  # PHOTOSHARE_MAX_ATTEMPTS of the stack (faultstack.FAST_RECOVERY)


@pytest.fixture(scope="module")
def rstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    """The breakable stack, started once for this module; a missing redis-server fails loudly."""
    stack = FaultStack(tmp_path_factory.mktemp("reliability"))
    try:
        try:
            stack.start(workers=1)
        except processes.StartupError as error:
            pytest.fail(f"could not start the reliability stack: {error}")
        yield stack
    finally:
        stack.close()


# Named like conftest's session fixture on purpose: this module uses its own breakable stack.
@pytest.fixture
def stack(rstack: FaultStack) -> Iterator[FaultStack]:
    """The stack, healthy at the start of each test: Redis up, exactly one worker, no faults armed."""
    if "redis" not in rstack.procs or rstack.procs["redis"].poll() is not None:
        rstack.procs.pop("redis", None)
        rstack.start_redis()
    for name, proc in list(rstack.workers.items()):
        if proc.poll() is not None:
            rstack.stop_worker(name)
    if not rstack.workers:
        rstack.start_worker()
    for path in rstack.fault_dir.iterdir():
        path.unlink()
    yield rstack
    for name in ("web", "beat", "aws"):
        proc = rstack.procs[name]
        assert proc.poll() is None, f"{name} died during the test (exit code {proc.returncode})"


def the_worker(stack: FaultStack) -> str:
    """The name of the only worker running."""
    (name,) = stack.workers
    return name


def accepted(response: requests.Response) -> str:
    """The photo id of a 202 answer."""
    assert response.status_code == 202, response.text
    return response.json()["id"]


def keys_of(stack: FaultStack, photo_ids: set[str]) -> set[str]:
    """Every key in the bucket that belongs to one of these photos."""
    return {key for key in stack.s3_keys() if any(photo_id in key for photo_id in photo_ids)}


def assert_ready_with_exact_keys(stack: FaultStack, photo_ids: set[str], timeout: float = 40) -> dict:
    """Every photo READY, and the bucket holds exactly its original and one object per derivative."""
    items = stack.wait_settled(photo_ids, timeout=timeout)
    not_ready = {
        pid: (item or {}).get("status") for pid, item in items.items() if (item or {}).get("status") != "READY"
    }
    assert not not_ready, f"not READY: {not_ready}"
    expected = set().union(*(stack.expected_keys(pid) for pid in photo_ids))
    assert keys_of(stack, photo_ids) == expected
    return items


def assert_no_trace(stack: FaultStack, photo_id: str) -> None:
    """Neither DynamoDB nor S3 knows the photo."""
    assert stack.item(photo_id) is None
    assert keys_of(stack, {photo_id}) == set()


def queued_photo_ids(stack: FaultStack) -> list[str]:
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


def test_worker_killed_mid_job(stack: FaultStack) -> None:
    """SIGKILL of a pool child, then of the worker's main process, mid-job: every photo ends READY,
    and each derivative exists once, under its one key."""
    started = time.monotonic()
    name = the_worker(stack)
    slow = make_jpeg(marker=SLOW_MARKER, seed=1)

    # A pool child dies mid-job: the message is rejected back to the queue and redelivered.
    victim = accepted(stack.upload(slow))
    behind = {accepted(stack.upload(make_jpeg(seed=seed))) for seed in (2, 3)}
    stack.wait_status(victim, "PROCESSING")
    time.sleep(0.5)  # inside the (slow) render
    killed_child = stack.kill_pool_child(name)
    items = assert_ready_with_exact_keys(stack, {victim} | behind)
    assert items[victim]["attempts"] >= 2, items[victim]
    child_s = time.monotonic() - started

    # The main process dies mid-job (its pool child is orphaned); a new worker takes over.
    started = time.monotonic()
    # Other bytes than the first victim's: the same bytes again would be a duplicate of it.
    victim2 = accepted(stack.upload(make_jpeg(marker=SLOW_MARKER, seed=6)))
    behind2 = {accepted(stack.upload(make_jpeg(seed=seed))) for seed in (4, 5)}
    stack.wait_status(victim2, "PROCESSING")
    time.sleep(0.5)
    orphans = stack.kill_worker_main(name)
    stack.start_worker()
    try:
        items2 = assert_ready_with_exact_keys(stack, {victim2} | behind2, timeout=60)
    finally:
        orphans_alive = [pid for pid in orphans if pid_alive(pid)]
        stack.reap(orphans)
    print(
        f"\n[reliability] worker killed mid-job: pool child {killed_child} → READY after "
        f"{items[victim]['attempts']} attempts in {child_s:.1f}s; main process → READY after "
        f"{items2[victim2]['attempts']} attempt(s) in {time.monotonic() - started:.1f}s "
        f"(orphaned pool processes still alive afterwards: {len(orphans_alive)}); 3 keys per photo"
    )


def test_redis_down_during_upload_burst(stack: FaultStack) -> None:
    """Redis SIGKILLed during 20 concurrent uploads and started again (same port, AOF) once most were sent:
    every upload is accepted (202 QUEUED, none refused, never a 500), answered fast, and every photo
    is READY within 30 s of Redis returning, with exactly its objects."""
    started = time.monotonic()
    ids_before = stack.item_ids()
    images = [make_jpeg(640, 480, seed=100 + i) for i in range(20)]

    sent_at: list[float] = []

    def one(index: int) -> tuple[requests.Response, float, float]:
        time.sleep(0.25 * index)  # a burst spread over ~5 s, most of it during the outage
        sent = time.monotonic()
        sent_at.append(sent)
        response = stack.upload(images[index], f"burst-{index}.jpg")
        return response, sent, time.monotonic() - sent

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(one, i) for i in range(len(images))]
        time.sleep(1.2)
        stack.stop_redis(crash=True)
        outage_started = time.monotonic()
        deadline = outage_started + 30
        while sum(t >= outage_started for t in sent_at) < 14 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        stack.start_redis()
        redis_back = time.monotonic()
        answers = [future.result() for future in futures]

    responses = [response for response, _, _ in answers]
    during = [seconds for _, sent, seconds in answers if outage_started <= sent < redis_back]
    refused = [(r.status_code, r.text[:200]) for r in responses if r.status_code != 202]
    assert refused == [], refused
    assert {r.json()["status"] for r in responses} == {"QUEUED"}
    assert len(during) >= 14, f"only {len(during)} uploads met the outage: the test did not test anything"
    accepted_ids = {r.json()["id"] for r in responses}

    items = assert_ready_with_exact_keys(stack, accepted_ids, timeout=30 - (time.monotonic() - redis_back))
    ready_s = time.monotonic() - redis_back
    assert stack.item_ids() - ids_before == accepted_ids
    slowest_during = max(during)
    print(
        f"\n[reliability] Redis down {redis_back - outage_started:.1f}s during 20 uploads: 20x202 "
        f"(0 refused); the {len(during)} sent during the outage answered in at most {slowest_during:.2f}s; all READY "
        f"{ready_s:.1f}s after Redis returned (max attempts {max(int(i['attempts']) for i in items.values())}), "
        f"{time.monotonic() - started:.1f}s in all"
    )


def test_redis_restart_keeps_queued_jobs(stack: FaultStack) -> None:
    """Jobs waiting in Redis survive a Redis restart (AOF) and all complete once a worker starts."""
    started = time.monotonic()
    stack.stop_worker(the_worker(stack))
    photo_ids = [accepted(stack.upload(make_jpeg(seed=200 + i))) for i in range(5)]
    assert sorted(queued_photo_ids(stack)) == sorted(photo_ids)

    stack.stop_redis()
    stack.start_redis()
    assert sorted(queued_photo_ids(stack)) == sorted(photo_ids), "the queued jobs did not survive the restart"

    stack.start_worker()
    assert_ready_with_exact_keys(stack, set(photo_ids), timeout=30)
    print(
        f"\n[reliability] Redis restarted with 5 jobs queued: all kept (AOF) and READY in "
        f"{time.monotonic() - started:.1f}s"
    )


def test_worker_started_before_redis(stack: FaultStack) -> None:
    """A worker started while Redis is down keeps retrying, connects when Redis appears, and works."""
    started = time.monotonic()
    stack.stop_worker(the_worker(stack))
    stack.stop_redis()
    name = stack.start_worker(wait=False)
    time.sleep(3)
    assert stack.workers[name].poll() is None, "the worker gave up while Redis was down"
    stack.start_redis()
    redis_back = time.monotonic()
    stack.wait_for_worker(name)
    connected_s = time.monotonic() - redis_back
    photo_id = accepted(stack.upload(make_jpeg(seed=300)))
    assert_ready_with_exact_keys(stack, {photo_id}, timeout=30)
    print(
        f"\n[reliability] worker started before Redis: answered {connected_s:.1f}s after Redis came up, "
        f"processed a photo; {time.monotonic() - started:.1f}s in all"
    )


def test_delete_while_queued_and_while_processing(stack: FaultStack) -> None:
    """Deleting a QUEUED photo and a PROCESSING one leaves no item and no object, also after the jobs ran."""
    started = time.monotonic()
    running = accepted(stack.upload(make_jpeg(marker=SLOW_MARKER, seed=400)))
    stack.wait_status(running, "PROCESSING")
    waiting = accepted(stack.upload(make_jpeg(seed=401)))  # behind the slow job (concurrency 1)
    assert stack.item(waiting)["status"] == "QUEUED"
    assert stack.api.delete(stack.url(f"/api/photos/{waiting}"), timeout=10).status_code == 204
    assert stack.item(running)["status"] == "PROCESSING"
    assert stack.api.delete(stack.url(f"/api/photos/{running}"), timeout=10).status_code == 204
    for photo_id in (waiting, running):
        assert_no_trace(stack, photo_id)
        assert requests.get(stack.url(f"/api/photos/{photo_id}"), timeout=10).status_code == 404

    # Both jobs run to their end: the slow one finishes rendering and must not bring anything back.
    stack.wait_idle(timeout=30)
    time.sleep(1)
    for photo_id in (waiting, running):
        assert_no_trace(stack, photo_id)
    log = stack.worker_logs()
    print(
        f"\n[reliability] deleted one photo while QUEUED and one while PROCESSING: no item, no object "
        f"after the jobs ran (worker saw 'deleted-meanwhile': {'deleted-meanwhile' in log}); "
        f"{time.monotonic() - started:.1f}s"
    )


def test_transient_aws_faults_are_retried(stack: FaultStack) -> None:
    """Injected S3 503s, DynamoDB throttling and a network error: the photos still end READY,
    each fault visible as one more attempt and a retry in the worker log."""
    started = time.monotonic()
    retries_before = stack.worker_logs().count("transient error, retry")
    # Round 1: a thumbnail PUT answered 503 SlowDown, the READY update throttled.
    arm_fault(stack.fault_dir, "s3.PutObject", 1, match="thumbnails/", error="5xx")
    arm_fault(stack.fault_dir, "dynamodb.UpdateItem", 1, match="SET #status = :ready", error="throttle")
    round1 = {accepted(stack.upload(make_jpeg(seed=500 + i))) for i in range(3)}
    items = assert_ready_with_exact_keys(stack, round1, timeout=30)
    attempts1 = sorted(int(item["attempts"]) for item in items.values())
    # Each fault hit after the attempt was counted: exactly one extra attempt per fault.
    assert sum(attempts1) == len(round1) + 2, attempts1
    # Round 2: reading the original fails with a connection error.
    arm_fault(stack.fault_dir, "s3.GetObject", 1, error="network")
    round2 = accepted(stack.upload(make_jpeg(seed=510)))
    items2 = assert_ready_with_exact_keys(stack, {round2}, timeout=30)
    assert int(items2[round2]["attempts"]) == 2, items2

    for operation in ("s3.PutObject", "dynamodb.UpdateItem", "s3.GetObject"):
        assert json.loads((stack.fault_dir / operation).read_text())["remaining"] == 0, operation
    injected = (stack.fault_dir / "injected.log").read_text().splitlines()
    assert len(injected) == 3, injected
    retries = stack.worker_logs().count("transient error, retry") - retries_before
    assert retries == 3, retries
    print(
        f"\n[reliability] 3 injected transient faults (S3 503, DynamoDB throttle, S3 network): "
        f"4 photos READY, attempts {attempts1 + [int(items2[round2]['attempts'])]}, {retries} retries logged; "
        f"{time.monotonic() - started:.1f}s"
    )


def test_poison_image_fails_and_others_go_on(stack: FaultStack) -> None:
    """An image that kills its pool process every time ends FAILED "gave up after N attempts";
    photos uploaded alongside end READY and the worker keeps serving."""
    started = time.monotonic()
    name = the_worker(stack)
    main_pid = stack.workers[name].pid
    poison = accepted(stack.upload(make_jpeg(marker=POISON_MARKER, seed=600), "poison.jpg"))
    others = {accepted(stack.upload(make_jpeg(seed=601 + i))) for i in range(3)}

    items = stack.wait_settled({poison} | others, timeout=60)
    assert items[poison]["status"] == "FAILED", items[poison]
    assert items[poison]["error"] == f"gave up after {MAX_ATTEMPTS} attempts", items[poison]
    assert_ready_with_exact_keys(stack, others)
    # A FAILED photo keeps its original (so it can be retried) and no derivative.
    assert keys_of(stack, {poison}) == {f"originals/{poison}"}

    # The same worker (its main process never died) still serves.
    assert stack.workers[name].poll() is None and pid_alive(main_pid)
    assert pool_children(main_pid), "the worker has no pool process left"
    after = accepted(stack.upload(make_jpeg(seed=610)))
    assert_ready_with_exact_keys(stack, {after}, timeout=30)
    failures = requests.get(stack.url("/api/jobs"), timeout=10).json()["recent_failures"]
    assert any(f["id"] == poison and "gave up" in f["reason"] for f in failures), failures
    print(
        f"\n[reliability] poison image killed its pool process {int(items[poison]['attempts']) - 1} times, "
        f"then FAILED '{items[poison]['error']}'; 4 other photos READY on the same worker; "
        f"{time.monotonic() - started:.1f}s"
    )


def test_delete_during_a_run_that_then_fails_leaves_no_object(stack: FaultStack) -> None:
    """Delete while PROCESSING, then the run's last derivative PUT fails transiently: nothing may remain."""
    last = THUMBNAIL_SPECS[-1]
    arm_fault(stack.fault_dir, "s3.PutObject", 1, match=f"/{last.name}.{last.extension}", error="network")
    photo_id = accepted(stack.upload(make_jpeg(marker=SLOW_MARKER, seed=700)))
    stack.wait_status(photo_id, "PROCESSING")
    assert stack.api.delete(stack.url(f"/api/photos/{photo_id}"), timeout=10).status_code == 204
    stack.wait_idle(timeout=30)
    leftovers = keys_of(stack, {photo_id})
    print(f"\n[reliability] delete during a run whose last PUT failed: left behind {sorted(leftovers)}")
    assert leftovers == set()


def test_jobs_overview_answers_while_redis_is_down(stack: FaultStack) -> None:
    """The operator's jobs overview must still answer (counts come from DynamoDB) when the broker is down."""
    stack.stop_redis()
    try:
        response = requests.get(stack.url("/api/jobs"), timeout=20)
    finally:
        stack.start_redis()
    print(f"\n[reliability] GET /api/jobs with Redis down: {response.status_code} {response.text[:80]}")
    assert response.status_code == 200, response.text
