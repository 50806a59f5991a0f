"""Run the benchmarks and print their tables: `python -m bench [name ...]` (all by default)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import e2e, graphql_overhead

# name -> a function that measures and returns its report (a plain-text table).
BENCHES: dict[str, Callable[[], str]] = {
    "graphql_overhead": graphql_overhead.run,
    "e2e": e2e.run,
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown bench {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    for i, name in enumerate(names):
        if i:
            print()
        print(BENCHES[name](), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
