"""Process-wide counters, served as Prometheus text at `/metrics`.

When several processes of one service share a port (`make up` with
REPLICAS=N), a scrape reaches any one of them, so each must report them all:
with `METRICS_MULTIPROCESS_DIR` set, every process writes its counters to
`<dir>/<pid>.json` (at most FLUSH_SECONDS after a change, on every render and
at exit) and `/metrics` renders the sum over every file there, the files of
processes that died included (a counter never goes down because a replica
was restarted). The directory must be emptied when the service starts (the
stack runner does), like Prometheus's own multiprocess mode. A process
killed with SIGKILL loses at most its last FLUSH_SECONDS of increments.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import threading
import time
from collections import defaultdict
from pathlib import Path

MULTIPROCESS_ENV = "METRICS_MULTIPROCESS_DIR"
FLUSH_SECONDS = 0.5

Labels = tuple[tuple[str, str], ...]

_REGISTRY: list[Counter] = []


class Counter:
    """A monotonically increasing count, optionally split by labels."""

    def __init__(self, name: str, help: str) -> None:
        self.name = name
        self.help = help
        self._values: dict[Labels, float] = defaultdict(float)
        self._lock = threading.Lock()
        _REGISTRY.append(self)

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            self._values[key] += amount
        if (shared := _shared()) is not None:
            shared.dirty.set()

    def value(self, **labels: str) -> float:
        """This process's count."""
        with self._lock:
            return self._values.get(tuple(sorted(labels.items())), 0.0)

    def snapshot(self) -> dict[Labels, float]:
        with self._lock:
            return dict(self._values)

    def render(self, values: dict[Labels, float] | None = None) -> str:
        values = self.snapshot() if values is None else values
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        for key, value in sorted(values.items()):
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in key)
            lines.append(
                f"{self.name}{{{labels}}} {value:g}" if labels else f"{self.name} {value:g}"
            )
        return "\n".join(lines)


def render_all() -> str:
    """Every counter: this process's, or every process's of the service when shared."""
    shared = _shared()
    if shared is None:
        return "\n".join(counter.render() for counter in _REGISTRY) + "\n"
    shared.flush()
    totals = shared.totals()
    return "\n".join(counter.render(totals.get(counter.name, {})) for counter in _REGISTRY) + "\n"


class _Shared:
    """This process's file in the multiprocess directory, and the sum of all of them."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / f"{os.getpid()}.json"
        self.dirty = threading.Event()
        self._write_lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        threading.Thread(target=self._flusher, name="metrics-flush", daemon=True).start()
        atexit.register(self.flush)

    def flush(self) -> None:
        self.dirty.clear()
        data = {
            counter.name: [[list(map(list, k)), v] for k, v in counter.snapshot().items()]
            for counter in _REGISTRY
        }
        with self._write_lock:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            tmp.replace(self.path)

    def totals(self) -> dict[str, dict[Labels, float]]:
        totals: dict[str, dict[Labels, float]] = defaultdict(lambda: defaultdict(float))
        for path in self.directory.glob("*.json"):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # replaced or removed meanwhile
            for name, rows in data.items():
                for key, value in rows:
                    totals[name][tuple((k, v) for k, v in key)] += value
        return totals

    def _flusher(self) -> None:
        while True:
            self.dirty.wait()
            with contextlib.suppress(OSError):
                self.flush()
            time.sleep(FLUSH_SECONDS)


_shared_state: list[_Shared | None] = []
_shared_lock = threading.Lock()


def _shared() -> _Shared | None:
    if _shared_state:
        return _shared_state[0]
    with _shared_lock:
        if not _shared_state:
            directory = os.environ.get(MULTIPROCESS_ENV)
            _shared_state.append(_Shared(Path(directory)) if directory else None)
    return _shared_state[0]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
