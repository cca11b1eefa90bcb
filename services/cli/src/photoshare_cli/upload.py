"""Sending many files: hash, skip duplicates, send parts several at a time, resume, report.

Files go several at once (`jobs`), and each file's parts several at once (`part_jobs`). Every
upload started is noted in the ResumeBook before its first part, so after a Ctrl-C the next run
asks the site which parts S3 has and sends only the others.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tqdm import tqdm

from photoshare_cli.files import LocalFile, describe
from photoshare_cli.resume import ResumeBook
from photoshare_cli.site import Site, SiteError


class Result(StrEnum):
    """What became of one file."""

    UPLOADED = "uploaded"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


@dataclass(frozen=True)
class Outcome:
    """One file's result; `detail` is the photo id, or the reason it was refused."""

    path: Path
    result: Result
    detail: str
    resumed: bool = False


@dataclass
class Summary:
    """The run's results and the photo bytes it sent to storage."""

    outcomes: list[Outcome] = field(default_factory=list)
    bytes_sent: int = 0

    def count(self, result: Result) -> int:
        """How many files ended this way."""
        return sum(1 for outcome in self.outcomes if outcome.result is result)


class Interrupted(Exception):
    """The run was stopped (Ctrl-C) before this file was done; it resumes next time."""


class Uploader:
    """Uploads files to one signed-in site."""

    def __init__(
        self, site: Site, book: ResumeBook, *, jobs: int = 3, part_jobs: int = 4, show_progress: bool | None = None
    ) -> None:
        self._site = site
        self._book = book
        self._jobs = jobs
        self._parts = ThreadPoolExecutor(max_workers=jobs * part_jobs, thread_name_prefix="part")
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._summary = Summary()
        self._show = show_progress  # None: bars only on a terminal
        self._total: Any = None

    def run(self, paths: list[Path], *, on_outcome: Callable[[Outcome], None] | None = None) -> Summary:
        """Upload every file; a KeyboardInterrupt stops after the parts in flight, ready to resume."""
        sizes = sum(path.stat().st_size for path in paths)
        self._total = tqdm(total=sizes, unit="B", unit_scale=True, desc="total", position=0, disable=self._disabled())
        files = ThreadPoolExecutor(max_workers=self._jobs, thread_name_prefix="file")
        try:
            for outcome in files.map(self._one, paths):
                if outcome is not None:
                    self._summary.outcomes.append(outcome)
                    if on_outcome:
                        on_outcome(outcome)
        except KeyboardInterrupt:
            self._stop.set()
            files.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            self._stop.set()
            files.shutdown(wait=True, cancel_futures=True)
            self._parts.shutdown(wait=True, cancel_futures=True)
            self._total.close()
        return self._summary

    def _disabled(self) -> bool | None:
        return None if self._show is None else not self._show

    def _one(self, path: Path) -> Outcome | None:
        if self._stop.is_set():
            return None
        local = describe(path)  # hashed before anything is sent: the site can name a duplicate
        try:
            return self._send(local)
        except Interrupted:
            return None
        except SiteError as error:
            self._advance(local.size)  # counted as done in the total
            return Outcome(path, Result.REFUSED, str(error))
        except OSError as error:
            self._advance(local.size)
            return Outcome(path, Result.REFUSED, f"could not read or send it: {error}")

    def _send(self, local: LocalFile) -> Outcome:
        upload_id, part_size, urls, have = self._resume(local)
        resumed = upload_id is not None
        if upload_id is None:
            started = self._site.start(filename=local.path.name, size=local.size, sha256=local.sha256)
            if "duplicate_of" in started:
                self._advance(local.size)
                return Outcome(local.path, Result.DUPLICATE, started["duplicate_of"]["id"])
            upload_id, part_size = started["upload_id"], started["part_size"]
            urls = {p["number"]: p["url"] for p in started["parts"]}
            self._book.remember(local.sha256, upload_id)
        done = {number: etag for number, (etag, _) in have.items()}
        bar = tqdm(
            total=local.size,
            unit="B",
            unit_scale=True,
            desc=local.path.name[:30],
            leave=False,
            disable=self._disabled(),
        )
        already = sum(size for _, size in have.values())
        bar.update(already)
        self._advance(already)
        try:
            missing = [n for n in sorted(urls) if n not in done]
            futures = {n: self._parts.submit(self._put, local, n, part_size, urls[n], bar) for n in missing}
            for number, future in futures.items():
                done[number] = future.result()
        finally:
            bar.close()
        answer = self._site.complete(upload_id, [{"number": n, "etag": e} for n, e in sorted(done.items())])
        self._book.forget(local.sha256)
        if "duplicate_of" in answer:
            return Outcome(local.path, Result.DUPLICATE, answer["duplicate_of"]["id"], resumed)
        return Outcome(local.path, Result.UPLOADED, answer["id"], resumed)

    def _resume(self, local: LocalFile) -> tuple[str | None, int, dict[int, str], dict[int, tuple[str, int]]]:
        """An upload a previous run started for these bytes: its id, part size, URLs and parts S3 has."""
        upload_id = self._book.upload_id(local.sha256)
        if upload_id is None:
            return None, 0, {}, {}
        try:
            # Part size first, from a status call asking for no URLs, then URLs for every part.
            part_size = self._site.status(upload_id, parts=0)["part_size"]
            status = self._site.status(upload_id, parts=max(1, -(-local.size // part_size)))
        except SiteError as error:
            if error.status != 404:
                raise
            self._book.forget(local.sha256)  # completed, cancelled or expired: start again
            return None, 0, {}, {}
        urls = {p["number"]: p["url"] for p in status["parts"]}
        have = {p["number"]: (p["etag"], p["size"]) for p in status["received"]}
        return upload_id, part_size, urls, have

    def _put(self, local: LocalFile, number: int, part_size: int, url: str, bar: Any) -> str:
        if self._stop.is_set():
            raise Interrupted()
        with local.path.open("rb") as stream:
            stream.seek((number - 1) * part_size)
            data = stream.read(part_size)
        etag = self._site.put_part(url, data)
        with self._lock:
            self._summary.bytes_sent += len(data)
        bar.update(len(data))
        self._advance(len(data))
        return etag

    def _advance(self, size: int) -> None:
        if self._total is not None:
            self._total.update(size)
