"""Uploads in progress, kept on disk so a run cut short (Ctrl-C, a lost connection) resumes.

One JSON file per machine: site and username → file SHA-256 → upload id. An entry is written
when the upload starts and removed when it completes, so a run after an interruption asks the
site which parts S3 already has and sends only the rest.
"""

import json
import os
import threading
from pathlib import Path


def default_path() -> Path:
    """~/.cache/photoshare/uploads.json (or under $XDG_CACHE_HOME)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "photoshare" / "uploads.json"


class ResumeBook:
    """The upload ids of files being sent to one site by one account."""

    def __init__(self, path: Path, *, site: str, username: str) -> None:
        self._path = path
        self._scope = f"{site}|{username}"
        self._lock = threading.Lock()

    def upload_id(self, sha256: str) -> str | None:
        """The upload in progress for these bytes, if a run started one."""
        with self._lock:
            return self._read().get(self._scope, {}).get(sha256)

    def remember(self, sha256: str, upload_id: str) -> None:
        """Note an upload as started."""
        self._change(sha256, upload_id)

    def forget(self, sha256: str) -> None:
        """Note an upload as finished (or gone)."""
        self._change(sha256, None)

    def _change(self, sha256: str, upload_id: str | None) -> None:
        with self._lock:
            book = self._read()
            scope = book.setdefault(self._scope, {})
            if upload_id is None:
                scope.pop(sha256, None)
            else:
                scope[sha256] = upload_id
            self._path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._path.with_suffix(".tmp")
            temporary.write_text(json.dumps(book, indent=1))
            temporary.replace(self._path)  # atomic: a Ctrl-C never leaves half a file

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            return json.loads(self._path.read_text())
        except (FileNotFoundError, ValueError):
            return {}
