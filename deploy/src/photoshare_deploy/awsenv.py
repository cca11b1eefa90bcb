"""boto3 session and clients from the standard environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL)."""

import os
from typing import Any

import boto3
from botocore.config import Config

from photoshare_deploy.errors import DeployError

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})


class Aws:
    """One session for the whole command; clients are made on first use."""

    def __init__(self, session: boto3.session.Session | None = None) -> None:
        # boto3 reads AWS_DEFAULT_REGION and the profile's region, but not AWS_REGION by itself.
        self.session = session or boto3.session.Session(region_name=os.environ.get("AWS_REGION") or None)
        if self.session.region_name is None:
            raise DeployError("no AWS region: set AWS_REGION (for example eu-west-1) or a region in your profile")
        if self.session.get_credentials() is None:
            raise DeployError(
                "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        self._clients: dict[str, Any] = {}

    @property
    def region(self) -> str:
        """The region every call goes to."""
        return str(self.session.region_name)

    @property
    def endpoint_url(self) -> str | None:
        """The emulator endpoint when AWS_ENDPOINT_URL is set (boto3 honours it by itself)."""
        return os.environ.get("AWS_ENDPOINT_URL") or None

    def client(self, service: str, *, region: str | None = None) -> Any:
        """A cached boto3 client for `service` (in `region`, default the session's)."""
        key = f"{service}@{region or self.region}"
        if key not in self._clients:
            config = _CONFIG
            if service == "s3" and self.endpoint_url:
                config = config.merge(Config(s3={"addressing_style": "path"}))
            self._clients[key] = self.session.client(service, config=config, region_name=region)
        return self._clients[key]

    def account_id(self) -> str:
        """The AWS account of the credentials."""
        return str(self.client("sts").get_caller_identity()["Account"])
