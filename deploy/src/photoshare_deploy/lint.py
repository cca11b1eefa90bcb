"""Static checks of the template: cfn-lint (from the workspace) and checkov (pinned, in its own env)."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from photoshare_deploy.errors import DeployError
from photoshare_deploy.template import TEMPLATE_PATH

# checkov pins many libraries (boto3 among them) that clash with the workspace's, so it runs
# in an isolated uv tool environment at this exact version instead of joining uv.lock.
CHECKOV = "checkov==3.3.30"


@dataclass
class Result:
    """What one linter said."""

    ok: bool
    report: str


def _uv() -> str:
    tools = Path(__file__).resolve().parents[3] / ".tools/bin/uv"
    for candidate in (os.environ.get("UV"), shutil.which("uv"), str(tools)):
        if candidate and Path(candidate).exists():
            return candidate
    raise DeployError("uv not found (needed to run checkov): run `make install` first")


def cfn_lint(template: Path = TEMPLATE_PATH) -> Result:
    """cfn-lint with every rule on; any finding fails."""
    exe = Path(sys.executable).parent / "cfn-lint"  # the workspace's dev group installs it
    if not exe.exists():
        raise DeployError("cfn-lint not found beside this Python: run `make install` (it is a dev dependency)")
    proc = subprocess.run([str(exe), str(template)], capture_output=True, text=True)
    return Result(proc.returncode == 0, (proc.stdout + proc.stderr).strip() or "cfn-lint: no findings")


def checkov(template: Path = TEMPLATE_PATH) -> Result:
    """checkov's CloudFormation checks, offline; fails on any failed check or a skip without a reason."""
    # Not checkov's --quiet: it leaves the skipped checks out of the JSON, so a skip without a
    # reason would go unseen.
    cmd = [
        _uv(),
        "tool",
        "run",
        "--quiet",
        "--from",
        CHECKOV,
        "checkov",
        "--file",
        str(template),
        "--framework",
        "cloudformation",
        "--skip-download",
        "--output",
        "json",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return Result(False, f"checkov did not run (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    results = data.get("results", {}) if isinstance(data, dict) else {}
    failed = results.get("failed_checks", [])
    skipped = results.get("skipped_checks", [])
    lines = [f"FAILED {c['check_id']} {c['resource']}: {c['check_name']}" for c in failed]
    lines += [f"SKIPPED without a reason {c['check_id']} {c['resource']}" for c in skipped if not _reason(c)]
    summary = data.get("summary", {}) if isinstance(data, dict) else {}
    listed = summary.get("skipped", 0) == len(skipped)
    if not listed:
        lines.append(f"checkov skipped {summary.get('skipped')} checks but listed {len(skipped)}")
    lines += [f"skipped {c['check_id']} {c['resource']}: {_reason(c)}" for c in skipped if _reason(c)]
    lines.append(
        f"checkov: {summary.get('passed', 0)} passed, {len(failed)} failed, {len(skipped)} skipped with a reason"
    )
    return Result(listed and not failed and all(_reason(c) for c in skipped), "\n".join(lines))


def _reason(check: dict[str, object]) -> str:
    suppress = check.get("check_result", {})
    return str(suppress.get("suppress_comment", "")).strip() if isinstance(suppress, dict) else ""


def main() -> int:
    """Run both linters, print their reports, return 0 only when both are clean."""
    ok = True
    for name, run in (("cfn-lint", cfn_lint), ("checkov", checkov)):
        result = run()
        print(f"== {name}: {'clean' if result.ok else 'FINDINGS'}\n{result.report}")
        ok = ok and result.ok
    return 0 if ok else 1
