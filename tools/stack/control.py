"""Requests to a running stack (`make rollout`), through files in its control folder.

The runner (`python -m tools.stack`) names its control folder in its lock
file (`<data>/stack.lock`, key `control`). A client writes
`<id>.request` there (JSON: what to do), atomically (a rename); the runner
claims it at its next supervision pass (renamed `<id>.taken`), appends what
happens to `<id>.log` and, once done, writes `<id>.done` (JSON: `status`, 0
or 1). One request runs at a time; a second one meanwhile is refused.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.stack.supervision import RolloutRefused, Stack

REQUEST, TAKEN, LOG, DONE = ".request", ".taken", ".log", ".done"


class Control:
    """The runner's side: claims requests and runs each in a thread of its own."""

    def __init__(self, folder: Path, stack: Stack) -> None:
        self.folder = folder
        self.stack = stack
        self._busy: str | None = None
        self._lock = threading.Lock()
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():  # a previous runner's leftovers
            old.unlink(missing_ok=True)

    def poll(self) -> None:
        """Claim and start the requests written since the last pass."""
        for request in sorted(self.folder.glob(f"*{REQUEST}")):
            taken = request.with_suffix(TAKEN)
            try:
                request.rename(taken)
                body: dict[str, Any] = json.loads(taken.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            with self._lock:
                busy = self._busy
                if busy is None:
                    self._busy = taken.stem
            if busy is not None:
                self._finish(taken.stem, 1, f"refused: a rollout ({busy}) is under way")
                continue
            threading.Thread(
                target=self._run, args=(taken.stem, body), name="stack-control", daemon=True
            ).start()

    def _run(self, request_id: str, body: dict[str, Any]) -> None:
        def report(line: str) -> None:
            self.stack.say(f"rollout: {line}")
            with (self.folder / f"{request_id}{LOG}").open("a", encoding="utf-8") as log:
                log.write(line + "\n")

        status = 0
        try:
            service = str(body.get("service", ""))
            report(f"{service}: rolling its processes over one by one")
            self.stack.roll(service, float(body.get("ready_timeout", 60.0)), report)
            report(f"{service}: done, every process replaced")
        except RolloutRefused as exc:
            report(f"FAILED: {exc}")
            status = 1
        except Exception as exc:  # the runner keeps supervising; the client hears why
            report(f"FAILED: {exc!r}")
            status = 1
        finally:
            with self._lock:
                self._busy = None
        self._finish(request_id, status)

    def _finish(self, request_id: str, status: int, line: str | None = None) -> None:
        if line is not None:
            with (self.folder / f"{request_id}{LOG}").open("a", encoding="utf-8") as log:
                log.write(line + "\n")
        done = self.folder / f"{request_id}{DONE}"
        partial = done.with_suffix(".partial")
        partial.write_text(json.dumps({"status": status}), encoding="utf-8")
        partial.rename(done)


def send(
    folder: Path,
    body: dict[str, Any],
    *,
    alive: Callable[[], bool],
    say: Callable[[str], None],
    timeout: float,
) -> int:
    """Write a request into ``folder``, print its log as it grows, return its status (1 when
    the runner stops (``alive`` false) or ``timeout`` passes first)."""
    request_id = uuid.uuid4().hex
    staged = folder / f"{request_id}.staged"
    staged.write_text(json.dumps(body), encoding="utf-8")
    staged.rename(folder / f"{request_id}{REQUEST}")
    log, done = folder / f"{request_id}{LOG}", folder / f"{request_id}{DONE}"
    shown = 0
    deadline = time.monotonic() + timeout
    while True:
        finished = done.exists()
        if log.exists():
            lines = log.read_text(encoding="utf-8").splitlines()
            for line in lines[shown:]:
                say(line)
            shown = len(lines)
        if finished:
            status: int = json.loads(done.read_text(encoding="utf-8"))["status"]
            return status
        if not alive():
            say("FAILED: the stack stopped before it answered")
            return 1
        if time.monotonic() > deadline:
            say(f"FAILED: no answer within {timeout:g}s")
            return 1
        time.sleep(0.1)
