"""Unit-tier fixtures: moto in-process for AWS (Cognito included), a recording publisher for the
Redis boundary, and test clients signed in as real users of the emulated pool."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from moto import mock_aws

from photoshare_devstack import processes
from photoshare_shared.aws import make_client, make_table
from photoshare_shared.backends import Backends, build_catalog, build_store
from photoshare_shared.catalog.attention import AttentionIndex
from photoshare_shared.catalog.photos import PhotoCatalog
from photoshare_shared.jobmetrics import JobMetrics
from photoshare_shared.provision import ensure_resources
from photoshare_shared.settings import Settings
from photoshare_shared.store import PhotoStore
from photoshare_shared.userpool import UserPoolIds
from photoshare_web import create_app, dispatch
from photoshare_web.accounts.provider import AccountServices
from tests.support.accounts import Account, create_account, moto_keys


class RecordingPublisher:
    """Stands in for Redis in unit tests: records what would be enqueued, or fails like a down broker."""

    def __init__(self) -> None:
        self.published: list[str] = []
        self.error: Exception | None = None
        self.online: list[dict[str, object]] = []

    def enqueue_photo(self, *, photo_id: str) -> None:
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
def provisioned(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> Iterator[tuple[Settings, UserPoolIds]]:
    """Settings of a fresh moto account with the bucket, table and user pool made, and the pool's ids."""
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
        yield settings, ensure_resources(settings)


@pytest.fixture
def settings(provisioned: tuple[Settings, UserPoolIds]) -> Settings:
    return provisioned[0]


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
def pool_ids(provisioned: tuple[Settings, UserPoolIds]) -> UserPoolIds:
    """The user pool and app client ensure_resources made in moto."""
    return provisioned[1]


@pytest.fixture
def cognito(settings: Settings):
    return make_client("cognito-idp", settings)


@pytest.fixture
def alice(cognito, pool_ids: UserPoolIds) -> Account:
    return create_account(cognito, pool_ids, "alice")


@pytest.fixture
def bob(cognito, pool_ids: UserPoolIds) -> Account:
    return create_account(cognito, pool_ids, "bob")


@pytest.fixture
def make_app(
    settings: Settings,
    store: PhotoStore,
    catalog: PhotoCatalog,
    attention: AttentionIndex,
    publisher: RecordingPublisher,
    metrics: JobMetrics,
    pool_ids: UserPoolIds,
) -> Callable[..., Flask]:
    """The app over this test's moto account and publisher, with settings changed as given."""

    def make(**changes: object) -> Flask:
        changed = settings.model_copy(update=changes)
        backends = Backends(
            settings=changed,
            store=store,
            catalog=catalog,
            attention=attention,
            publisher=publisher,
            metrics=metrics,  # type: ignore[arg-type]
        )
        # moto signs every pool's tokens with one key pair; its JWKS URL is not reachable in-process.
        accounts = AccountServices(changed, ids=pool_ids, keys=moto_keys())
        app = create_app(changed, backends=backends, account_services=accounts)
        app.config.update(TESTING=True)
        # No sender thread outliving the test's moto: tests send kept jobs with run_once().
        dispatch.register(app, backends, background=False)
        return app

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def jobs(app: Flask) -> dispatch.JobDispatcher:
    """The app's job dispatcher (no thread: call run_once to send what it kept)."""
    with app.app_context():
        return dispatch.dispatcher()


def signed_in_client(app: Flask, account: Account) -> FlaskClient:
    """A test client whose every request carries the account's access token."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = account.bearer["Authorization"]
    return client


@pytest.fixture
def client(app: Flask, alice: Account) -> FlaskClient:
    """Signed in as alice (a Bearer token on every request): most tests are about what a user does."""
    return signed_in_client(app, alice)


@pytest.fixture
def bob_client(app: Flask, bob: Account) -> FlaskClient:
    return signed_in_client(app, bob)


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    """Nobody signed in."""
    return app.test_client()
