"""`photoshare-import SOURCE --owner USERNAME`: register every image in a folder or an S3 prefix.

    photoshare-import ~/Pictures/archive --owner alice
    photoshare-import s3://old-photos/2019/ --owner alice

Each file is staged under `uploads/<username>/import/…` in the photo bucket (uploaded, or copied
inside S3) and landed there at once, exactly as the upload consumer would (which may get there
first: either way one photo). Files the account already has (same SHA-256) are skipped; a local
file's checksum is taken before anything is sent. Safe to run again: the second run finds every
photo already there. Needs the same settings and AWS rights as the worker.
"""

import argparse
import hashlib
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from photoshare_shared import keys
from photoshare_shared.aws import make_client
from photoshare_shared.backends import Backends
from photoshare_shared.landing import NotLanded, Owner
from photoshare_shared.photo import display_filename
from photoshare_shared.settings import Settings
from photoshare_shared.uploadarea import Declared
from photoshare_worker.arrivals import land_arrival
from photoshare_worker.consumer import Accounts

# Picked up from folders and prefixes; the worker still judges each by its content.
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".avif"})


@dataclass(frozen=True)
class Source:
    """One file to import: a local path, or an object of some bucket."""

    name: str
    size: int
    path: Path | None = None
    bucket: str | None = None
    key: str | None = None

    @property
    def staging_name(self) -> str:
        """A name under uploads/<username>/import/ fixed by where the file comes from."""
        origin = f"s3://{self.bucket}/{self.key}" if self.bucket else str(self.path)
        return "import/" + hashlib.sha256(origin.encode()).hexdigest()[:32]


def local_sources(folder: Path) -> Iterator[Source]:
    """The photos in a folder, recursively (hidden ones skipped)."""
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if path.is_file() and not hidden and path.suffix.lower() in PHOTO_SUFFIXES:
            yield Source(name=path.name, size=path.stat().st_size, path=path)


def s3_sources(client: object, url: str) -> Iterator[Source]:
    """The photos under an s3://bucket/prefix."""
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):  # type: ignore[attr-defined]
        for item in page.get("Contents", []):
            key = item["Key"]
            if Path(key).suffix.lower() in PHOTO_SUFFIXES:
                yield Source(name=key.rsplit("/", 1)[-1], size=int(item["Size"]), bucket=bucket, key=key)


def import_one(source: Source, *, owner: Owner, backends: Backends) -> str:
    """Stage and land one file; "imported", "duplicate", or "refused: <reason>"."""
    staged = keys.upload_key(owner.username, source.staging_name)
    area, sha256 = backends.uploads, None
    if source.path is not None:
        sha256 = _checksum(source.path)
        if backends.catalog.find_duplicate(owner_id=owner.sub, sha256=sha256) is not None:
            return "duplicate"  # nothing sent
        if source.size > backends.settings.max_upload_bytes:
            return f"refused: larger than the {backends.settings.max_upload_mb} MB limit"
        declared = Declared(filename=display_filename(source.name), size=source.size, sha256=sha256)
        area.put_file(staged, str(source.path), declared)
    else:
        if source.size > backends.settings.max_upload_bytes:
            return f"refused: larger than the {backends.settings.max_upload_mb} MB limit"
        area.copy_in(staged, bucket=source.bucket or "", source_key=source.key or "", filename=source.name)
    try:
        landed = land_arrival(staged, owner=owner, backends=backends)
    except NotLanded as refusal:
        return f"refused: {refusal}"
    # Not created: the same bytes, or this very file landed by an earlier run or the consumer.
    return "imported" if landed.created else "duplicate"


def run(source: str, *, owner: Owner, backends: Backends, show_progress: bool | None = None) -> Counter[str]:
    """Import everything at `source`; counts per outcome ("imported", "duplicate", "refused: …")."""
    if source.startswith("s3://"):
        sources = list(s3_sources(make_client("s3", backends.settings), source))
    else:
        folder = Path(source).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"{source}: no such folder")
        sources = list(local_sources(folder))
    counts: Counter[str] = Counter()
    with tqdm(total=len(sources), unit="photo", disable=None if show_progress is None else not show_progress) as bar:
        for item in sources:
            outcome = import_one(item, owner=owner, backends=backends)
            counts[outcome] += 1
            if outcome.startswith("refused"):
                bar.write(f"{item.name}: {outcome}")
            bar.update(1)
    return counts


def summary_text(counts: Counter[str]) -> str:
    """One line: imported, already there, refused."""
    refused = sum(n for outcome, n in counts.items() if outcome.startswith("refused"))
    return f"imported {counts['imported']}, already there {counts['duplicate']}, refused {refused}"


def _checksum(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Run an import; 0 when nothing was refused."""
    parser = argparse.ArgumentParser(
        prog="photoshare-import", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("source", help="a folder, or s3://bucket/prefix")
    parser.add_argument("--owner", required=True, metavar="USERNAME", help="the account the photos belong to")
    args = parser.parse_args(argv)
    backends = Backends.from_settings(Settings())
    owner = Accounts(backends.settings).owner(args.owner)
    if owner is None:
        print(f"photoshare-import: no account named {args.owner!r}", file=sys.stderr)
        return 2
    try:
        counts = run(args.source, owner=owner, backends=backends)
    except FileNotFoundError as error:
        print(f"photoshare-import: {error}", file=sys.stderr)
        return 2
    print(summary_text(counts))
    return 1 if any(outcome.startswith("refused") for outcome in counts) else 0


if __name__ == "__main__":
    sys.exit(main())
