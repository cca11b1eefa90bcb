"""The product's Celery worker app with faults injected, for the reliability tests.

Started as `celery -A tests.support.faulty_worker worker ...` with the repository root on
PYTHONPATH (`DevStack(worker_app=FAULTY_WORKER_APP)`). The product code is untouched: this
module imports the real app and tasks, then

- wraps `photoshare_worker.processing.render_photo`: an original containing the bytes
  `PHOTOSHARE-POISON` SIGKILLs its own pool process (a poison image); one containing
  `PHOTOSHARE-SLOW` sleeps `PHOTOSHARE_FAULT_SLOW_S` seconds (default 4) before rendering,
  so a test can act while the job is running;
- registers a botocore `before-call` handler on every AWS session the worker makes, which
  raises a transient error (S3: 503 SlowDown, DynamoDB: ThrottlingException, or a network
  error) for the next N calls of an operation, while a `process_photo` task runs (in any of
  its threads: the job reads and writes S3 from helper threads).

The fault budget lives in files under `PHOTOSHARE_FAULT_DIR`, one JSON file per operation
(`s3.PutObject`, `dynamodb.UpdateItem`, ...): `{"remaining": N, "match": "large.jpg",
"error": "throttle" | "5xx" | "network"}`. Taking a fault decrements `remaining` under a
file lock, so the count is shared by every pool process (and survives a pool child being
replaced), and a test can arm faults at run time without restarting the worker. Each fault
taken is appended to `injected.log` in the same directory. `PHOTOSHARE_FAULTS`
(e.g. `s3.PutObject=2,dynamodb.UpdateItem=1`) arms faults when the worker starts.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError
from celery.signals import task_postrun, task_prerun, worker_init

import photoshare_worker.tasks  # noqa: F401  (registers the tasks on the app)
from photoshare_shared import aws
from photoshare_shared.jobqueue import PROCESS_PHOTO_TASK
from photoshare_worker import processing
from photoshare_worker.celery_app import app
from tests.support.faults import POISON_MARKER, SLOW_MARKER, arm_fault

__all__ = ["app"]

log = logging.getLogger("faulty_worker")

_SLOW_S = float(os.environ.get("PHOTOSHARE_FAULT_SLOW_S", "4"))
# Made here (in the main process, before the pool forks) so every pool process shares it.
FAULT_DIR = Path(os.environ.get("PHOTOSHARE_FAULT_DIR") or tempfile.mkdtemp(prefix="photoshare-faults-"))


def _take_fault(operation: str, params: Any) -> dict[str, Any] | None:
    """Consume one fault armed for `operation`, if any matches these parameters."""
    path = FAULT_DIR / operation
    if not path.exists():
        return None
    with path.open("r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            spec = json.loads(handle.read() or "{}")
        except ValueError:
            return None
        if spec.get("remaining", 0) <= 0 or (spec.get("match") and spec["match"] not in repr(params)):
            return None
        spec["remaining"] -= 1
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(spec))
    with (FAULT_DIR / "injected.log").open("a") as journal:
        journal.write(f"{time.time():.3f} pid={os.getpid()} {operation}\n")
    return spec


def _transient_error(service: str, operation: str, kind: str) -> Exception:
    if kind == "network":
        return EndpointConnectionError(endpoint_url=f"injected://{service}")
    if kind == "5xx" or (not kind and service == "s3"):
        code, status = ("SlowDown" if service == "s3" else "InternalServerError"), 503
    else:
        code, status = "ThrottlingException", 400
    response = {
        "Error": {"Code": code, "Message": "injected by faulty_worker"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)  # type: ignore[arg-type]


# The task this pool process is running (one at a time). Celery's current_task is per thread, and
# the job makes its S3 calls from helper threads too.
_running: dict[str, str | None] = {"task": None}


@task_prerun.connect
def _task_starts(task: Any = None, **_: Any) -> None:
    _running["task"] = getattr(task, "name", None)


@task_postrun.connect
def _task_ends(**_: Any) -> None:
    _running["task"] = None


def _before_call(event_name: str, params: Any = None, **_: Any) -> None:
    """botocore `before-call.<service>.<Operation>` handler: raise an armed fault."""
    if _running["task"] != PROCESS_PHOTO_TASK:
        return  # only the photo job: the recovery sweep and other callers run clean
    _, service, operation = event_name.split(".", 2)
    spec = _take_fault(f"{service}.{operation}", params)
    if spec is not None:
        log.warning("faulty_worker: injecting a transient %s.%s failure", service, operation)
        raise _transient_error(service, operation, spec.get("error", ""))


_real_session = aws._session


def _session_with_faults(*args: Any) -> Any:
    session = _real_session(*args)  # one per process and region: register the handler once
    session.events.register("before-call", _before_call, unique_id="photoshare-faulty-worker")
    return session


aws._session = _session_with_faults  # every client and table the worker makes goes through it

_real_render = processing.render_photo


def _render_with_markers(data: bytes, *args: Any, **kwargs: Any) -> Any:
    if POISON_MARKER in data:
        log.warning("faulty_worker: poison image, killing pool process %d", os.getpid())
        os.kill(os.getpid(), signal.SIGKILL)
    if SLOW_MARKER in data:
        time.sleep(_SLOW_S)
    return _real_render(data, *args, **kwargs)


processing.render_photo = _render_with_markers  # processing calls it through its module global


@worker_init.connect
def _arm_from_environment(**_: Any) -> None:
    """PHOTOSHARE_FAULTS="s3.PutObject=2,dynamodb.UpdateItem=1": faults armed at start-up."""
    for entry in filter(None, os.environ.get("PHOTOSHARE_FAULTS", "").split(",")):
        operation, _, count = entry.partition("=")
        arm_fault(FAULT_DIR, operation.strip(), int(count or 1))
