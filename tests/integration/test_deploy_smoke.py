"""`photoshare-deploy smoke --url` against the real local stack (moto server, Redis, worker, gunicorn)."""

import pytest

from photoshare_deploy.cli import main
from photoshare_devstack import processes

pytestmark = pytest.mark.integration


def test_smoke_passes_against_the_local_stack(stack, capsys: pytest.CaptureFixture[str]):
    code = main(["smoke", "--url", stack.web_url, "--timeout", "60"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), out
    steps = [line for line in out.splitlines() if line.startswith("ok   ")]
    assert [s.split(" (")[0][5:] for s in steps][:5] == [
        "GET /healthz", "POST /api/photos", "wait for READY", "GET thumbnails.small.url", "GET /api/photos lists it",
    ]
    assert len(steps) == 7 and all(s.endswith("s)") for s in steps)
    assert "smoke test passed" in out
    photo_id = next(s for s in steps if "DELETE /api/photos/" in s).split("/")[-1].split(" ")[0]
    assert photo_id not in stack.item_ids()
    assert not any(photo_id in key for key in stack.s3_keys())


def test_smoke_fails_in_one_line_when_nothing_answers(capsys: pytest.CaptureFixture[str]):
    url = f"http://127.0.0.1:{processes.free_port()}"
    code = main(["smoke", "--url", url])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("error: smoke step 'GET /healthz' failed: ") and err.count("\n") == 1
    assert "FAIL GET /healthz" in out
