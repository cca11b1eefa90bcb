"""Invariants between the Celery reliability numbers (DESIGN.md "Reliability settings")."""

from photoshare_shared import jobs
from photoshare_shared.settings import Settings


def test_reliability_settings_hold_their_invariants():
    config = jobs.celery_config(Settings(redis_url="redis://127.0.0.1:1/0"))
    visibility = config["broker_transport_options"]["visibility_timeout"]

    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["broker_connection_retry_on_startup"] is True
    assert config["task_soft_time_limit"] < config["task_time_limit"]
    # A message redelivered while its first run is still alive would run the job twice.
    assert visibility > config["task_time_limit"]
    assert visibility > jobs.RETRY_BACKOFF_MAX_S + config["task_time_limit"]
    assert jobs.MAX_ATTEMPTS >= 2


def test_the_task_routes_to_the_photos_queue():
    config = jobs.celery_config(Settings())
    assert config["task_routes"][jobs.PROCESS_PHOTO_TASK] == {"queue": jobs.PHOTOS_QUEUE}
    assert jobs.PUBLISHED_TASKS == {jobs.PROCESS_PHOTO_TASK}
    assert config["accept_content"] == ["json"]
