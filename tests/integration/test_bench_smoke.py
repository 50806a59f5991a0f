"""Every in-process bench still runs: `python -m bench --smoke ...` (a few requests each,
answers checked).

The figures of a smoke run mean nothing and are not looked at; speed is
judged by `make bench` only. The end-to-end bench needs a whole stack: its
smoke run uses the e2e test stack (tests/e2e/test_bench_smoke.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.__main__ import BENCHES

REPO = Path(__file__).resolve().parents[2]
ON_THE_E2E_STACK = {"e2e"}
IN_PROCESS = [name for name in BENCHES if name not in ON_THE_E2E_STACK]


def test_every_bench_runs_and_checks_its_answers() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", *IN_PROCESS],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    for name in IN_PROCESS:
        assert f"{name}:" in done.stdout, done.stdout
    assert "kernel:" in done.stdout  # the summary line: every variant was measured
