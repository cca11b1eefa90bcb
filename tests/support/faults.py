"""Faults the reliability tests inject into a worker started from `tests.support.faulty_worker`.

Imported by the tests and by that worker app; importing it patches nothing.
"""

import json
from pathlib import Path

# The worker's Celery app with the fault hooks (DevStack(worker_app=...)).
FAULTY_WORKER_APP = "tests.support.faulty_worker"
# Markers in a JPEG comment: the pool process rendering it kills itself, or sleeps first.
POISON_MARKER = b"PHOTOSHARE-POISON"
SLOW_MARKER = b"PHOTOSHARE-SLOW"


def fault_environ(fault_dir: Path) -> dict[str, str]:
    """The settings that point a faulty worker at its fault budget files."""
    fault_dir.mkdir(parents=True, exist_ok=True)
    return {"PHOTOSHARE_FAULT_DIR": str(fault_dir)}


def arm_fault(fault_dir: Path, operation: str, count: int, *, match: str = "", error: str = "") -> None:
    """Make the next `count` calls of `operation` (e.g. "s3.PutObject") whose parameters contain `match` fail."""
    fault_dir.mkdir(parents=True, exist_ok=True)
    spec = {"remaining": count, "match": match, "error": error}
    tmp = fault_dir / f".{operation}.tmp"
    tmp.write_text(json.dumps(spec))
    tmp.replace(fault_dir / operation)
