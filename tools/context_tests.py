"""A team's own loop: ``make test CONTEXT=<name>`` (``python -m tools.context_tests NAME``).

Runs what one bounded context owns, and nothing else:

- its unit and integration tests (``tests/unit/<name>``, ``tests/integration/<name>``; the
  notifications worker's are under notifications), on the real stores the fixtures start;
- ``tools.schema_check --subgraph <name>``: its subgraph's SDL from the code composed with the
  other subgraphs' published SDLs, against the published API and every client operation;
- ``tools.event_contracts check --context <name>``: its events against the consumers that
  read them, what it reads against their producers, and its part of the published document.

It skips the browsers, the end-to-end stack, the other contexts' tests and the whole-repo
lint (``make test`` without CONTEXT runs all of them). Each step's time is printed; the first
failing step ends the run (exit 1). An unknown name is an error (exit 1) naming the known ones
(``make test`` refuses it itself, with the same message, before it installs anything).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from tools.compose import load_subgraphs

ROOT = Path(__file__).resolve().parents[1]


def contexts() -> list[str]:
    """The bounded contexts: one a subgraph (supergraph.yaml)."""
    return list(load_subgraphs())


def unknown_context(name: str) -> str | None:
    """The error for a name that is no context; None for a known one."""
    known = contexts()
    if name in known:
        return None
    return f"make test: unknown CONTEXT={name!r} (one of: {', '.join(known)})"


def test_paths(name: str) -> list[str]:
    """The test directories context ``name`` owns (relative to the root)."""
    return [
        path
        for path in (f"tests/unit/{name}", f"tests/integration/{name}")
        if (ROOT / path).is_dir()
    ]


def steps(name: str) -> list[tuple[str, list[str]]]:
    """(title, command) of each step of context ``name``'s loop, in order."""
    python = sys.executable
    return [
        ("tests", [python, "-m", "pytest", *test_paths(name)]),
        ("schema check", [python, "-m", "tools.schema_check", "--subgraph", name]),
        ("event contracts", [python, "-m", "tools.event_contracts", "check", "--context", name]),
    ]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m tools.context_tests [--list] NAME``."""
    parser = argparse.ArgumentParser(prog="python -m tools.context_tests", description=__doc__)
    parser.add_argument("context", metavar="NAME")
    parser.add_argument("--list", action="store_true", help="print the steps, run nothing")
    args = parser.parse_args(argv)
    error = unknown_context(args.context)
    if error:
        print(error, file=sys.stderr)
        return 1
    started = time.monotonic()
    for title, command in steps(args.context):
        shown = " ".join(
            Path(command[0]).name if i == 0 else part for i, part in enumerate(command)
        )
        if args.list:
            print(f"{title}: {shown}")
            continue
        print(f"== {args.context}: {title} ({shown})", flush=True)
        step_started = time.monotonic()
        code = subprocess.run(command, cwd=ROOT, check=False).returncode
        print(
            f"== {args.context}: {title} {'passed' if code == 0 else 'FAILED'} "
            f"in {time.monotonic() - step_started:.0f} s",
            flush=True,
        )
        if code != 0:
            return 1
    if not args.list:
        print(f"== {args.context}: all passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
