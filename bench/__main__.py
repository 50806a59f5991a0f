"""Run the benchmarks, print their tables: `python -m bench [--smoke] [name ...]` (default: all).

`--smoke` runs every bench for a few iterations: each answer is still
checked, but the figures mean nothing. `make test` runs it so that a bench
that no longer runs is noticed (tests/integration/test_bench_smoke.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import (
    e2e,
    graphql_overhead,
    notification_cpu,
    notification_latency,
    token_verification,
    tracing_overhead,
)

# name -> a function that measures and returns its report (a plain-text table);
# with `smoke=True` it runs a few iterations only.
BENCHES: dict[str, Callable[..., str]] = {
    "graphql_overhead": graphql_overhead.run,
    "tracing_overhead": tracing_overhead.run,
    "e2e": e2e.run,
    "notification_latency": notification_latency.run,
    "notification_cpu": notification_cpu.run,
    "token_verification": token_verification.run,
}


def main(argv: list[str]) -> int:
    smoke = "--smoke" in argv
    names = [a for a in argv if a != "--smoke"] or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown bench {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    for i, name in enumerate(names):
        if i:
            print()
        print(BENCHES[name](smoke=smoke), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
