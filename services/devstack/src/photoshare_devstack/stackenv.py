"""The environment that points a web or worker process at one local stack."""

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from photoshare_shared.settings import Settings

# Settings that would steer boto3 (or sign-in) away from the emulator or make it look for a profile.
_AWS_VARS_TO_DROP = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "PHOTOSHARE_COGNITO_USER_POOL_ID",
    "PHOTOSHARE_COGNITO_CLIENT_ID",
)


# Where the local web listens (gunicorn --bind): this machine only.
WEB_HOST = "127.0.0.1"


def kept_secret_key(directory: Path) -> str:
    """A random secret key made once and kept in `directory`, so sign-ins outlive a restart."""
    path = directory / "secret-key"
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # readable by its owner only
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key


@dataclass(frozen=True)
class StackEnv:
    """Where the web and worker find Redis and the AWS emulator, as environment variables."""

    redis_url: str
    aws_endpoint_url: str
    bucket: str = "photoshare-local"
    table: str = "photoshare-photos"
    aws_region: str = "us-east-1"
    cognito_pool_name: str = "photoshare-users"
    # One value for every web process, so a session or CSRF token signed by one is valid in all.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The full environment of a web or worker process."""
        env = dict(os.environ if base is None else base)
        for name in _AWS_VARS_TO_DROP:
            env.pop(name, None)
        # PHOTOSHARE_REDIS_URL would win over REDIS_URL in Settings; one source of truth.
        env.pop("PHOTOSHARE_REDIS_URL", None)
        env.update(
            {
                "REDIS_URL": self.redis_url,
                "AWS_ENDPOINT_URL": self.aws_endpoint_url,
                "AWS_REGION": self.aws_region,
                # The emulator accepts anything; fixed values keep any stray boto3 client local.
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "PHOTOSHARE_BUCKET": self.bucket,
                "PHOTOSHARE_TABLE": self.table,
                "PHOTOSHARE_COGNITO_POOL_NAME": self.cognito_pool_name,
                "PHOTOSHARE_SECRET_KEY": self.secret_key,
                "PHOTOSHARE_PUBLISHED_ADDRESS": WEB_HOST,
                # Browsers and tests reach the emulator at the same address the servers use.
                "PHOTOSHARE_S3_PUBLIC_ENDPOINT_URL": self.aws_endpoint_url,
                # Logs must reach the terminal or log file as they happen, not at exit.
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def settings(self) -> Settings:
        """The Settings the web and worker will read from `environ()`."""
        return Settings(
            redis_url=self.redis_url,
            aws_endpoint_url=self.aws_endpoint_url,
            aws_region=self.aws_region,
            bucket=self.bucket,
            table=self.table,
            cognito_pool_name=self.cognito_pool_name,
            s3_public_endpoint_url=self.aws_endpoint_url,
            secret_key=self.secret_key,
            published_address=WEB_HOST,
        )
