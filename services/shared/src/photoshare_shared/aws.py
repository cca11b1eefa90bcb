"""The one place boto3 clients are made: from settings, never at import time."""

import os
import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from photoshare_shared.settings import Settings

# Standard retry mode backs off with jitter on throttling, 5xx and connection errors.
_RETRYING = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30)


# One boto3 session per process and region: each new session would read botocore's service
# models from disk again (~0.1 s a client). Sessions are not thread-safe, so clients are made
# under a lock; the clients themselves are.
_SESSION_LOCK = threading.Lock()


def _new_lock_after_fork() -> None:
    # A Celery pool process is forked from a parent whose other threads may hold the lock.
    global _SESSION_LOCK
    _SESSION_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_after_fork)


@cache
def _session(emulator: bool, region: str) -> boto3.session.Session:
    if emulator:
        # An emulator accepts any credentials; fixed ones mean local mode needs no AWS account.
        return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    return boto3.session.Session(region_name=region)


def make_client(service: str, settings: Settings, *, endpoint_url: str | None = None, region: str | None = None) -> Any:
    """A boto3 client for `service` pointed at the configured endpoint (and region, unless given)."""
    config = _RETRYING
    if service == "s3":
        config = config.merge(Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
    with _SESSION_LOCK:
        session = _session(settings.uses_emulator, region or settings.aws_region)
        return session.client(service, endpoint_url=endpoint_url or settings.aws_endpoint_url, config=config)


def make_table(settings: Settings) -> Any:
    """The boto3 Table resource of the photo table."""
    with _SESSION_LOCK:
        session = _session(settings.uses_emulator, settings.aws_region)
        resource = session.resource("dynamodb", endpoint_url=settings.aws_endpoint_url, config=_RETRYING)
    return resource.Table(settings.table)
