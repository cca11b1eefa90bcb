"""The project's ruff style (pyproject `[tool.ruff]`) is enforced in `make test`, so lint and format must be clean."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    ("args", "fix"),
    [
        (["check"], "fix with `.venv/bin/ruff check --fix .` or by hand"),
        (["format", "--check"], "fix with `.venv/bin/ruff format .`"),
    ],
    ids=["check", "format"],
)
def test_ruff_is_clean(args: list[str], fix: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"ruff {' '.join(args)} failed ({fix}):\n{result.stdout}{result.stderr}"
