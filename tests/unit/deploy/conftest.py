"""Deploy-tier fixtures: photoshare-deploy against moto in-process, with moto's models for the
template's resource types it lacks (imported here, so before the first stack of any test)."""

from collections.abc import Iterator

import moto_cfn_shims  # noqa: F401 (defines the models moto finds)
import pytest
from moto import mock_aws

from photoshare_deploy import buckets


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(buckets, "ENFORCE_TLS", False)  # moto ignores the policy's Condition
    with mock_aws():
        yield
