"""Unit-tier fixtures: moto in-process for AWS, a recording publisher for the Redis boundary."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from moto import mock_aws

from photoshare_devstack import processes
from photoshare_shared.attention import AttentionIndex
from photoshare_shared.aws import make_table
from photoshare_shared.catalog import PhotoCatalog
from photoshare_shared.jobmetrics import JobMetrics
from photoshare_shared.provision import ensure_resources
from photoshare_shared.services import Services, build_catalog, build_store
from photoshare_shared.settings import Settings
from photoshare_shared.store import PhotoStore
from photoshare_web import create_app


class RecordingPublisher:
    """Stands in for Redis in unit tests: records what would be enqueued, or fails like a down broker."""

    def __init__(self) -> None:
        self.published: list[str] = []
        self.error: Exception | None = None
        self.online: list[dict[str, object]] = []

    def process_photo(self, *, photo_id: str) -> None:
        if self.error:
            raise self.error
        self.published.append(photo_id)

    def ping(self) -> None:
        if self.error:
            raise self.error

    def workers(self, *, timeout: float) -> list[dict[str, object]]:
        return self.online


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server of this test session, on a free port."""
    port = processes.free_port()
    server = processes.start_redis(port, appendonly=False, workdir=Path(tmp_path_factory.mktemp("redis")))
    yield f"redis://127.0.0.1:{port}/0"
    processes.stop(server)


@pytest.fixture
def metrics(redis_url: str) -> JobMetrics:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()  # also resets the upload rate-limit counters between tests
    return JobMetrics(client)


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> Iterator[Settings]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "PHOTOSHARE_S3_PUBLIC_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = Settings(
        bucket="unit-bucket",
        table="unit-photos",
        aws_region="us-east-1",
        secret_key="unit",
        max_upload_mb=2,
        redis_url=redis_url,
    )
    with mock_aws():
        ensure_resources(settings)
        yield settings


@pytest.fixture
def store(settings: Settings) -> PhotoStore:
    return build_store(settings)


@pytest.fixture
def catalog(settings: Settings) -> PhotoCatalog:
    return build_catalog(settings)


@pytest.fixture
def attention(settings: Settings) -> AttentionIndex:
    return AttentionIndex(make_table(settings))


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def app(
    settings: Settings,
    store: PhotoStore,
    catalog: PhotoCatalog,
    attention: AttentionIndex,
    publisher: RecordingPublisher,
    metrics: JobMetrics,
) -> Flask:
    services = Services(
        settings=settings, store=store, catalog=catalog, attention=attention, publisher=publisher, metrics=metrics  # type: ignore[arg-type]
    )
    app = create_app(settings, services=services)
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
