import pytest
from pydantic import ValidationError

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


def test_a_forked_child_can_make_clients_while_the_parent_holds_the_lock(settings):
    """Celery forks pool processes; a lock held by another thread at the fork must not bind the child."""
    import os
    import signal

    from photoshare_shared import aws

    with aws._SESSION_LOCK:
        pid = os.fork()
        if pid == 0:  # the child: make a client (would hang on an inherited held lock), report, leave
            signal.alarm(10)  # a hang ends the child (killed by SIGALRM) instead of the test run
            try:
                aws.make_client("s3", settings)
                os._exit(0)
            except BaseException:
                os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize(
    "url", ["photos.example.com", "ftp://photos.example.com", "https://", "https://a.example/?x=1"]
)
def test_a_site_url_must_be_an_http_address(url):
    with pytest.raises(ValidationError, match="PHOTOSHARE_SITE_URL"):
        Settings(site_url=url)


def test_a_site_url_is_kept_without_its_trailing_slash():
    assert Settings(site_url="https://photos.example.com/").site_url == "https://photos.example.com"
