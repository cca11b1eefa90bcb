"""Invariants between the Celery reliability numbers (docs/architecture.md "Reliability rules")."""

import ssl

import pytest
import redis
from pydantic import ValidationError

from photoshare_shared import jobqueue
from photoshare_shared.redisclient import redis_client
from photoshare_shared.settings import Settings


def test_reliability_settings_hold_their_invariants():
    settings = Settings(redis_url="redis://127.0.0.1:1/0")
    config = jobqueue.celery_config(settings)
    visibility = config["broker_transport_options"]["visibility_timeout"]

    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["broker_connection_retry_on_startup"] is True
    assert 0 < config["task_soft_time_limit"] < config["task_time_limit"]
    # A message redelivered while its first run is still alive would run the job twice.
    assert visibility > config["task_time_limit"] + settings.retry_backoff_max_s
    # The sweep must not re-enqueue a job that may still be running.
    assert settings.stuck_after_s > config["task_time_limit"]
    assert settings.max_attempts >= 2
    assert config["beat_schedule"]["recovery-sweep"]["schedule"] == settings.sweep_interval_s


@pytest.mark.parametrize(
    "overrides",
    [
        {"visibility_timeout_s": 100, "task_time_limit_s": 150},
        {"visibility_timeout_s": 200, "task_time_limit_s": 150, "retry_backoff_max_s": 60},
        {"stuck_after_s": 150, "task_time_limit_s": 150},
    ],
)
def test_inconsistent_reliability_settings_are_refused(overrides):
    with pytest.raises(ValidationError):
        Settings(**overrides)


def test_the_tasks_route_to_the_photos_queue():
    config = jobqueue.celery_config(Settings())
    for task in jobqueue.PUBLISHED_TASKS:
        assert config["task_routes"][task] == {"queue": jobqueue.PHOTOS_QUEUE}
    assert config["accept_content"] == ["json"]


def test_a_rediss_broker_verifies_the_servers_certificate():
    config = jobqueue.celery_config(Settings(redis_url="rediss://:token@broker.example:6379/0"))
    assert config["broker_use_ssl"] == {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    assert "broker_use_ssl" not in jobqueue.celery_config(Settings(redis_url="redis://127.0.0.1:1/0"))
    # Celery accepts the URL with that policy (it refuses a bare rediss:// URL without one).
    publisher = jobqueue.JobPublisher(Settings(redis_url="rediss://:token@broker.example:6379/0"))
    with publisher.celery_app.connection_for_write() as connection:
        assert connection.transport_options is not None
        assert connection.ssl == {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    # The web's own client (job figures, sign-outs) speaks TLS to the same URL.
    pool = redis_client(Settings(redis_url="rediss://:token@broker.example:6379/0")).connection_pool
    assert pool.connection_class is redis.SSLConnection
    assert pool.make_connection().cert_reqs == ssl.CERT_REQUIRED
