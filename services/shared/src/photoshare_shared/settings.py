"""One typed settings object, read from the environment (PHOTOSHARE_* plus standard AWS_* names)."""

from functools import cached_property

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class Settings(BaseSettings):
    """Every setting of every component; see the README's settings table."""

    model_config = SettingsConfigDict(
        env_prefix="PHOTOSHARE_", frozen=True, extra="ignore", populate_by_name=True
    )

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
    max_image_pixels: int = Field(default=100_000_000, ge=1)
    page_size: int = Field(default=24, ge=1, le=100)
    # Signs session cookies and CSRF tokens; set it whenever more than one web process runs.
    secret_key: str | None = None

    @cached_property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.max_upload_mb * MB

    @cached_property
    def uses_emulator(self) -> bool:
        """True when AWS calls go to a local emulator rather than AWS."""
        return self.aws_endpoint_url is not None
