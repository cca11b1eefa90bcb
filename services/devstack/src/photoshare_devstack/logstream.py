"""Where the children's output goes: to the terminal with a `[name]` prefix and a log file, or to a file only."""

import os
import sys
import threading
from pathlib import Path
from typing import BinaryIO


class LogStreams:
    """One pipe and one reader thread per child process."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # whole lines from different children never interleave
        self._write_ends: dict[str, int] = {}
        self._threads: list[threading.Thread] = []
        self._width = len("[worker]")

    def open(self, name: str) -> int:
        """A file descriptor to give a child as stdout/stderr; its lines appear as `[name] ...`."""
        read_end, write_end = os.pipe()
        self._write_ends[name] = write_end
        log_file = (self.directory / f"{name}.log").open("wb")
        thread = threading.Thread(
            target=self._pump,
            args=(name, os.fdopen(read_end, "rb"), log_file),
            name=f"log-{name}",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)
        return write_end

    def started(self, name: str) -> None:
        """Drop our copy of the pipe's write end, so the reader sees EOF when the child exits."""
        write_end = self._write_ends.pop(name, None)
        if write_end is not None:
            os.close(write_end)

    def close(self) -> None:
        """Close every pipe still held and let the readers finish the last lines."""
        for name in list(self._write_ends):
            self.started(name)
        for thread in self._threads:
            # Orphaned grandchildren may keep a pipe open; never hang the shutdown on them.
            thread.join(timeout=2)

    def _pump(self, name: str, pipe: BinaryIO, log_file: BinaryIO) -> None:
        prefix = f"[{name}]".ljust(self._width) + " "
        with pipe, log_file:
            for raw in pipe:
                log_file.write(raw)
                log_file.flush()
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                with self._lock:
                    sys.stdout.write(f"{prefix}{line}\n")
                    sys.stdout.flush()


class LogFiles:
    """Each child's stdout+stderr to its own file, `<directory>/<name>.log` (tests, the bench)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: list[BinaryIO] = []

    def open(self, name: str) -> BinaryIO:
        """The file to give a child as stdout/stderr (appended to: a restarted part keeps its history)."""
        log_file = (self.directory / f"{name}.log").open("ab")
        self._files.append(log_file)
        return log_file

    def started(self, name: str) -> None:
        """Nothing to do: the file stays open until close()."""

    def close(self) -> None:
        """Close every file handed out."""
        for log_file in self._files:
            log_file.close()
        self._files.clear()
