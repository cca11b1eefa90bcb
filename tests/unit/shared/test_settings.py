from photoshare_shared.settings import Settings


def test_defaults_work_out_of_the_box(monkeypatch):
    for name in ("REDIS_URL", "PHOTOSHARE_REDIS_URL", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.max_upload_bytes == 25 * 1024 * 1024
    assert settings.aws_endpoint_url is None and not settings.uses_emulator


def test_standard_and_prefixed_names_are_read(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://example:6380/1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("PHOTOSHARE_MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("PHOTOSHARE_BUCKET", "my-bucket")
    settings = Settings()
    assert settings.redis_url == "redis://example:6380/1"
    assert settings.uses_emulator and settings.aws_region == "eu-west-1"
    assert settings.max_upload_bytes == 5 * 1024 * 1024 and settings.bucket == "my-bucket"
