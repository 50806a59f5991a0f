"""Process-wide counters, served as Prometheus text at `/metrics`."""

from __future__ import annotations

import threading
from collections import defaultdict

_REGISTRY: list[Counter] = []


class Counter:
    """A monotonically increasing count, optionally split by labels."""

    def __init__(self, name: str, help: str) -> None:
        self.name = name
        self.help = help
        self._values: dict[tuple[tuple[str, str], ...], float] = defaultdict(float)
        self._lock = threading.Lock()
        _REGISTRY.append(self)

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            self._values[key] += amount

    def value(self, **labels: str) -> float:
        with self._lock:
            return self._values.get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> str:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        with self._lock:
            for key, value in sorted(self._values.items()):
                labels = ",".join(f'{k}="{_escape(v)}"' for k, v in key)
                lines.append(
                    f"{self.name}{{{labels}}} {value:g}" if labels else f"{self.name} {value:g}"
                )
        return "\n".join(lines)


def render_all() -> str:
    return "\n".join(counter.render() for counter in _REGISTRY) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
