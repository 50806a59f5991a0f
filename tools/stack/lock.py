"""One stack per data folder: an exclusive lock on `<data>/stack.lock`, which says where it runs.

A second `make up` on the same folder finds the lock taken and prints what
the holder wrote (its pid and URLs) instead of starting anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

LOCK_NAME = "stack.lock"


class AlreadyRunning(Exception):
    """Another stack holds the lock of this data folder."""


class StackLock:
    """An exclusive lock on `<data>/stack.lock`; the file says who holds it and where."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise AlreadyRunning with what the holder wrote."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read()
            file.close()
            raise AlreadyRunning(describe_holder(holder, self.path)) from None
        self._file = file
        self.write({"pid": os.getpid(), "state": "starting"})

    def write(self, info: dict[str, Any]) -> None:
        assert self._file is not None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(json.dumps(info, indent=2) + "\n")
        self._file.flush()

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.seek(0)
                self._file.truncate()
            self._file.close()  # closing drops the flock
            self._file = None


def describe_holder(text: str, path: Path) -> str:
    try:
        info = json.loads(text)
    except ValueError:
        info = {}
    pid = info.get("pid", "unknown")
    lines = [f"the stack is already running (pid {pid}, lock {path}); nothing was started."]
    urls = info.get("urls") or {}
    if urls:
        width = max(map(len, urls)) + 2
        lines.append("it serves:")
        lines += [f"  {name:<{width}}{url}" for name, url in urls.items()]
    elif info.get("state") == "starting":
        lines.append("it is still starting.")
    lines.append(f"stop it with Ctrl-C in its terminal, or: kill {pid}")
    return "\n".join(lines)


@contextlib.contextmanager
def locked(data_dir: Path) -> Iterator[StackLock]:
    """The lock of ``data_dir`` for the block (AlreadyRunning when another stack holds it)."""
    lock = StackLock(data_dir)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()
