"""The job contract between web and worker: task names, queue, payload and Celery settings.

The web publishes by task *name*; it never imports worker code.
"""

import ssl
from typing import Any

from celery import Celery

from photoshare_shared.settings import Settings

PROCESS_PHOTO_TASK = "photoshare.process_photo"
SWEEP_TASK = "photoshare.sweep_stuck"
PHOTOS_QUEUE = "photos"
# Every task published by name (web, beat); the worker checks at start-up that it has a handler for each.
PUBLISHED_TASKS = frozenset({PROCESS_PHOTO_TASK, SWEEP_TASK})

# Fail fast when Redis is down so an upload answers quickly instead of hanging (its job is then
# kept to send later, see outbox.py). One immediate retry covers a pooled connection that a
# restarted Redis closed. Measured: Redis stopped 0.5 s with two retries, ~0 s with one.
_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# A publish is one small LPUSH: a Redis that accepts connections but does not answer (hung, or a
# lost network path) is given up after this, instead of the consumer's 10 s per try (40 s measured).
_PUBLISH_SOCKET_TIMEOUT_S = 2


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings shared by the publisher (web) and the consumer (worker)."""
    return {
        "broker_url": settings.redis_url,
        **_tls(settings.redis_url),
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            "socket_connect_timeout": 3,
            "socket_timeout": 10,
        },
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 3,
        "task_default_queue": PHOTOS_QUEUE,
        "task_routes": {PROCESS_PHOTO_TASK: {"queue": PHOTOS_QUEUE}, SWEEP_TASK: {"queue": PHOTOS_QUEUE}},
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.task_soft_time_limit_s,
        "task_time_limit": settings.task_time_limit_s,
        "task_publish_retry_policy": _PUBLISH_RETRY_POLICY,
        "worker_hijack_root_logger": False,
        "beat_schedule": {
            "recovery-sweep": {
                "task": SWEEP_TASK,
                "schedule": settings.sweep_interval_s,
                # A sweep stuck behind a backlog is useless once the next one is due.
                "options": {"expires": settings.sweep_interval_s},
            }
        },
    }


def _tls(redis_url: str) -> dict[str, Any]:
    # A rediss:// broker (ElastiCache with encryption in transit): Celery refuses one without a
    # certificate policy; verify the server's certificate against the system's trust store.
    if not redis_url.startswith("rediss://"):
        return {}
    return {"broker_use_ssl": {"ssl_cert_reqs": ssl.CERT_REQUIRED}}


class JobPublisher:
    """Publishes jobs to Redis by task name."""

    def __init__(self, settings: Settings) -> None:
        self._app = Celery("photoshare-publisher", set_as_current=False)
        config = celery_config(settings)
        config["broker_transport_options"].update(
            socket_timeout=_PUBLISH_SOCKET_TIMEOUT_S, socket_connect_timeout=_PUBLISH_SOCKET_TIMEOUT_S
        )
        self._app.conf.update(config)

    @property
    def celery_app(self) -> Celery:
        """The Celery app it publishes with (its connection settings are what tests check)."""
        return self._app

    def enqueue_photo(self, *, photo_id: str) -> None:
        """Enqueue the processing of one photo (the payload is its id, never image bytes)."""
        self._app.send_task(PROCESS_PHOTO_TASK, args=[photo_id], queue=PHOTOS_QUEUE)

    def workers(self, *, timeout: float) -> list[dict[str, Any]]:
        """Workers online now: name, pool concurrency and tasks running (asks them; waits `timeout`)."""
        inspect = self._app.control.inspect(timeout=timeout)
        stats = inspect.stats() or {}
        active = inspect.active() or {}
        return [
            {
                "name": name,
                "concurrency": int(info.get("pool", {}).get("max-concurrency", 0)),
                "active": len(active.get(name, [])),
            }
            for name, info in sorted(stats.items())
        ]

    def ping(self) -> None:
        """Raise unless the broker answers."""
        with self._app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
