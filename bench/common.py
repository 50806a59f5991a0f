"""Helpers every benchmark shares: settings from the environment, statistics, tables."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence


def bench_rounds() -> int:
    """`BENCH_ROUNDS`: how many interleaved rounds the timed requests are split into. Short rounds
    spread a slow spell of a shared machine over every variant instead of one."""
    return env_int("BENCH_ROUNDS", 20)


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    """An integer setting from the environment (e.g. `BENCH_ITERATIONS`), at least `minimum`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, got {value}")
    return value


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (`fraction` 0.5 is the median)."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def geometric_mean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1) -> str:
    """A plain-text table: the first `left` columns aligned left, the others right."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if i < left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
