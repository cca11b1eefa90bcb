"""Unit-tier fixtures: moto in-process for AWS, a recording publisher for the Redis boundary."""

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from moto import mock_aws

from photoshare_shared.catalog import PhotoCatalog
from photoshare_shared.provision import ensure_resources
from photoshare_shared.settings import Settings
from photoshare_shared.store import PhotoStore
from photoshare_shared.stores import build_catalog, build_store
from photoshare_web import create_app
from photoshare_web.services import Services


class RecordingPublisher:
    """Stands in for Redis in unit tests: records what would be enqueued, or fails like a down broker."""

    def __init__(self) -> None:
        self.published: list[str] = []
        self.error: Exception | None = None

    def process_photo(self, *, photo_id: str) -> None:
        if self.error:
            raise self.error
        self.published.append(photo_id)

    def ping(self) -> None:
        if self.error:
            raise self.error


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "PHOTOSHARE_S3_PUBLIC_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = Settings(
        bucket="unit-bucket", table="unit-photos", aws_region="us-east-1", secret_key="unit", max_upload_mb=2
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
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def app(settings: Settings, store: PhotoStore, catalog: PhotoCatalog, publisher: RecordingPublisher) -> Flask:
    services = Services(settings=settings, store=store, catalog=catalog, publisher=publisher)  # type: ignore[arg-type]
    app = create_app(settings, services=services)
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
