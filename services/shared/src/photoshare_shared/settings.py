"""One typed settings object, read from the environment (PHOTOSHARE_* plus standard AWS_* names)."""

from functools import cached_property
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class Settings(BaseSettings):
    """Every setting of every component; each has a row in docs/operations.md "Settings"."""

    model_config = SettingsConfigDict(env_prefix="PHOTOSHARE_", frozen=True, extra="ignore", populate_by_name=True)

    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("PHOTOSHARE_REDIS_URL", "REDIS_URL"),
    )
    bucket: str = "photoshare-local"
    table: str = "photoshare-photos"
    aws_region: str = Field(
        default="us-east-1",
        validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"),
    )
    # Unset: real AWS. Set (e.g. http://127.0.0.1:4566): every AWS call goes to that emulator.
    aws_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")
    # Endpoint that browsers reach for presigned URLs, when it differs from aws_endpoint_url
    # (in compose the web talks to http://aws:4566 but browsers to http://127.0.0.1:4566).
    s3_public_endpoint_url: str | None = None
    presigned_url_ttl_s: int = Field(default=900, ge=60, le=7 * 24 * 3600)
    max_upload_mb: int = Field(default=25, ge=1, le=5 * 1024)
    # Part size handed to direct (presigned multipart) uploads: S3's smallest, so a connection
    # lost mid-part costs at most 5 MB again when the upload resumes.
    upload_part_mb: int = Field(default=5, ge=5, le=512)
    # The SQS queue S3 notifies of every object written under uploads/ (the worker's consumer reads it).
    upload_queue: str = "photoshare-uploads"
    max_image_pixels: int = Field(default=100_000_000, ge=1)
    page_size: int = Field(default=24, ge=1, le=100)
    # Per client address, in Flask-Limiter's notation; shared by the API and the upload form.
    upload_rate_limit: str = "60 per minute; 600 per hour"
    # How many reverse proxies in front of the web set X-Forwarded-For and X-Forwarded-Proto
    # (0: the peer address and the connection's own scheme count).
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    # When set, every request but the health probes must carry it in X-Photoshare-Origin (the
    # deployed site's CloudFront sends it), so that nothing else reaching the port is served.
    origin_secret: str | None = None
    # Signs session cookies and CSRF tokens; set it whenever more than one web process runs.
    secret_key: str | None = None
    # The host address the site is published on beyond its container or process (compose passes
    # WEB_BIND): with a published development secret key the web starts only when it is loopback.
    published_address: str | None = None
    # The address people reach the site at (https://photos.example.com): absolute links in API
    # answers start with it. Unset: those links are paths. Never taken from the Host header.
    site_url: str | None = None

    # Accounts (Amazon Cognito). With both ids unset, the pool and app client named below are
    # looked up by name: what `make dev` and `docker compose` create in the local emulator.
    cognito_user_pool_id: str | None = None
    cognito_client_id: str | None = None
    cognito_pool_name: str = "photoshare-users"
    # Whether people who are not signed in may see the gallery and photos (writing always needs an account).
    public_browsing: bool = True
    # Session cookie sent over HTTPS only; browsers make an exception for http://localhost and 127.0.0.1.
    secure_cookies: bool = True
    # Sign-in, sign-up and token requests per client address, in Flask-Limiter's notation.
    signin_rate_limit: str = "10 per minute; 100 per hour"
    # Retry requests (one photo, or all failed ones) per account, in Flask-Limiter's notation.
    retry_rate_limit: str = "10 per minute; 100 per hour"

    # Sharing (docs/sharing.md). Who sees new uploads of an account that never chose a default.
    default_visibility: Literal["private", "public"] = "private"
    # How long a web process trusts a share link it has checked before reading it again: the most
    # a revoked or expired link's images keep loading. At most 30 s, so a link ends within 60 s.
    share_check_cache_s: int = Field(default=20, ge=0, le=30)
    # Password attempts on share links, per link and (separately) per client address.
    share_password_rate_limit: str = "5 per minute; 30 per hour"

    # Job reliability (docs/architecture.md "Reliability rules"); the validator below keeps them consistent.
    task_time_limit_s: int = Field(default=150, ge=5)
    max_attempts: int = Field(default=5, ge=1, le=50)
    # How many times in its life a FAILED photo may be queued again by its owner (each retry is a
    # new round of up to max_attempts runs).
    max_retries: int = Field(default=3, ge=0, le=20)
    retry_backoff_max_s: int = Field(default=60, ge=1)
    # Redis hands an unacknowledged job to another worker after this long.
    visibility_timeout_s: int = Field(default=600, ge=10)
    # The recovery sweep re-enqueues photos QUEUED or PROCESSING for longer than this.
    stuck_after_s: int = Field(default=300, ge=5)
    sweep_interval_s: int = Field(default=60, ge=1)
    # CloudWatch metrics (photoshare_shared.cloudmetrics): their Stack dimension (the deployed
    # stack's name) and how often the one publisher sends them.
    metrics_stack: str = Field(default="local", pattern=r"^[A-Za-z0-9._-]{1,128}$")
    metrics_interval_s: int = Field(default=60, ge=10, le=3600)
    # A pool process above this resident size is replaced after its current job.
    worker_max_memory_mb: int = Field(default=1024, ge=64)

    @field_validator("site_url")
    @classmethod
    def _site_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                "PHOTOSHARE_SITE_URL must be an http:// or https:// address, e.g. https://photos.example.com"
            )
        return value.rstrip("/")

    @model_validator(mode="after")
    def _reliability_invariants(self) -> Self:
        # A job redelivered or swept while its first run may still be alive would run twice.
        if self.visibility_timeout_s <= self.task_time_limit_s + self.retry_backoff_max_s:
            raise ValueError(
                "PHOTOSHARE_VISIBILITY_TIMEOUT_S must exceed "
                "PHOTOSHARE_TASK_TIME_LIMIT_S + PHOTOSHARE_RETRY_BACKOFF_MAX_S"
            )
        if self.stuck_after_s <= self.task_time_limit_s:
            raise ValueError("PHOTOSHARE_STUCK_AFTER_S must exceed PHOTOSHARE_TASK_TIME_LIMIT_S")
        if (self.cognito_user_pool_id is None) != (self.cognito_client_id is None):
            raise ValueError("set both PHOTOSHARE_COGNITO_USER_POOL_ID and PHOTOSHARE_COGNITO_CLIENT_ID, or neither")
        return self

    @cached_property
    def task_soft_time_limit_s(self) -> int:
        """When the task is told to stop (SoftTimeLimitExceeded), ahead of the hard kill."""
        return max(1, self.task_time_limit_s * 4 // 5)

    @cached_property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.max_upload_mb * MB

    @cached_property
    def upload_part_bytes(self) -> int:
        """The part size of direct uploads in bytes."""
        return self.upload_part_mb * MB

    @cached_property
    def cognito_region(self) -> str:
        """The user pool's region: a pool id starts with it (us-east-1_AbC), else the app's region."""
        if self.cognito_user_pool_id and "_" in self.cognito_user_pool_id:
            return self.cognito_user_pool_id.split("_", 1)[0]
        return self.aws_region

    @cached_property
    def uses_emulator(self) -> bool:
        """True when AWS calls go to a local emulator rather than AWS."""
        return self.aws_endpoint_url is not None


def too_large_message(settings: Settings) -> str:
    """What a person is told when a file is over the upload limit."""
    return f"The file is larger than the {settings.max_upload_mb} MB limit."
