"""Sending jobs from the web: at once while Redis answers, otherwise kept and sent by a thread.

When a send fails, the process stops trying Redis in requests (so uploads answer in
milliseconds during an outage) and wakes its sender thread, which pings Redis every
`interval_s` and, once it answers, sends every job kept unsent, by any process. The worker's
recovery sweep sends them too, for a web process that stopped before it could.
"""

import logging
import threading
import time

from flask import Flask, current_app

from photoshare_shared.backends import Backends
from photoshare_shared.outbox import BROKER_DOWN, JobOutbox

log = logging.getLogger(__name__)

_EXTENSION = "photoshare.dispatcher"
# Redis is pinged this often while it is down: unsent jobs go out at most this long after it returns.
_INTERVAL_S = 1.0
_BATCH = 100
# After its last kept job the sender looks this long more: a new item can take a moment to show in
# the index (GSIs are eventually consistent), and another process may still be keeping jobs.
_LINGER_S = 10.0


class JobDispatcher:
    """One per web process: sends jobs now, or keeps them and sends them when Redis is back."""

    def __init__(self, backends: Backends, *, background: bool = True, interval_s: float = _INTERVAL_S) -> None:
        self._backends = backends
        self._background = background
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._redis_down = False
        self._last_kept = float("-inf")

    @property
    def _outbox(self) -> JobOutbox:
        return self._backends.outbox

    @property
    def redis_down(self) -> bool:
        """True from a failed send until the sender finds Redis answering again."""
        return self._redis_down

    def send(self, photo_id: str, *, new: bool = False) -> bool:
        """Enqueue a QUEUED photo's job, or keep it to send later (then False); a `new` photo's is
        counted in the uploads figure too.

        Raises only when the job could not be kept either (DynamoDB failed).
        """
        send = self._backends.send_new_photo if new else self._outbox.send
        if self._redis_down:
            self._outbox.keep(photo_id)
        elif not send(photo_id):
            self._redis_down = True
        else:
            return True
        self._kept()
        return False

    def run_once(self) -> bool:
        """One round of the sender: True while there may be unsent jobs left to send."""
        if self._redis_down and not self._outbox.broker_answers():
            return True
        try:
            found = self._outbox.send_unsent(limit=_BATCH)
        except BROKER_DOWN as error:
            log.warning("Redis still unavailable, unsent jobs kept: %s", error)
            self._redis_down = True
            return True
        if self._redis_down:
            log.warning("Redis answers again: sending the jobs kept meanwhile")
        self._redis_down = False
        return found >= _BATCH or time.monotonic() - self._last_kept < _LINGER_S

    def stop(self) -> None:
        """End the sender thread (tests; in production it dies with its process)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _kept(self) -> None:
        self._last_kept = time.monotonic()
        self._wake.set()
        if not self._background:
            return
        with self._lock:  # started on first need, in the serving process (after gunicorn's fork)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="job-sender", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            busy = True
            while busy and not self._stop.wait(self._interval_s):
                try:
                    busy = self.run_once()
                except Exception:  # DynamoDB trouble: keep trying, the items are safe
                    log.exception("sending unsent jobs failed; trying again")


def register(app: Flask, backends: Backends, *, background: bool = True) -> JobDispatcher:
    """Give the app its dispatcher (without a sender thread: whoever calls run_once sends)."""
    dispatcher = JobDispatcher(backends, background=background)
    app.extensions[_EXTENSION] = dispatcher
    return dispatcher


def dispatcher() -> JobDispatcher:
    """The current app's dispatcher."""
    return current_app.extensions[_EXTENSION]
