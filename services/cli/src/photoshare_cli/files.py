"""Which files to send, and their checksums."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# In folders only photos are picked up (a file named on the command line is always sent: the
# site judges it by its content, not its name).
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".avif"})


@dataclass(frozen=True)
class LocalFile:
    """One file to send."""

    path: Path
    size: int
    sha256: str


def collect(paths: Iterable[Path]) -> list[Path]:
    """Files named, plus the photos in folders named (recursively, hidden ones skipped), once each."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.suffix.lower() in PHOTO_SUFFIXES:
                    found[child.resolve()] = None
        elif path.is_file():
            found[path.resolve()] = None
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return list(found)


def checksum(path: Path) -> str:
    """SHA-256 of the file, read in blocks."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def describe(path: Path) -> LocalFile:
    """Size and checksum of one file."""
    return LocalFile(path=path, size=path.stat().st_size, sha256=checksum(path))
