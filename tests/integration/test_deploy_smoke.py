"""`photoshare-deploy smoke --url` against the real local stack (moto server, Redis, worker, gunicorn)."""

import pytest

from photoshare_deploy.cli import main
from photoshare_devstack import processes
from photoshare_shared.aws import make_client

pytestmark = pytest.mark.integration


@pytest.fixture
def emulator_credentials(stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator's AWS environment, pointed at the stack's emulator (for the temporary account)."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", stack.aws_endpoint_url)
    monkeypatch.setenv("AWS_REGION", stack.settings.aws_region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _steps(out: str) -> list[str]:
    return [line.split(" (")[0][5:] for line in out.splitlines() if line.startswith("ok   ")]


def test_smoke_passes_against_the_local_stack(stack, emulator_credentials, capsys: pytest.CaptureFixture[str]):
    users_before = _usernames(stack)
    code = main(["smoke", "--url", stack.web_url, "--timeout", "60"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), out
    steps = _steps(out)
    temporary = steps[3].removeprefix("sign in as ")
    assert steps[:8] == [
        "GET /healthz",
        "POST /api/photos without a token is 401",
        "create a temporary account",
        f"sign in as {temporary}",
        "POST /api/photos",
        "wait for READY",
        "GET thumbnails.small.url",
        "GET /api/photos lists it",
    ]
    assert temporary.startswith("smoke-")
    assert steps[-1] == "delete the temporary account" and len(steps) == 11
    assert "smoke test passed" in out
    photo_id = next(s for s in steps if s.startswith("DELETE /api/photos/")).split("/")[-1]
    assert photo_id not in stack.item_ids()
    assert not any(photo_id in key for key in stack.s3_keys())
    assert _usernames(stack) == users_before  # the temporary account is gone


def test_smoke_signs_in_with_a_given_account(stack, new_account, monkeypatch: pytest.MonkeyPatch, capsys):
    account = new_account().account
    monkeypatch.setenv("PHOTOSHARE_SMOKE_PASSWORD", account.password)
    code = main(["smoke", "--url", stack.web_url, "--timeout", "60", "--username", account.username])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), out
    assert f"sign in as {account.username}" in _steps(out)
    assert "create a temporary account" not in out


def _usernames(stack) -> set[str]:
    cognito = make_client("cognito-idp", stack.settings)
    return {user["Username"] for user in cognito.list_users(UserPoolId=stack.pool.user_pool_id)["Users"]}


def test_smoke_fails_in_one_line_when_nothing_answers(capsys: pytest.CaptureFixture[str]):
    url = f"http://127.0.0.1:{processes.free_port()}"
    code = main(["smoke", "--url", url])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("error: smoke step 'GET /healthz' failed: ") and err.count("\n") == 1
    assert "FAIL GET /healthz" in out
