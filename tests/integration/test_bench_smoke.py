"""Every bench still runs: `python -m bench --smoke` (a few requests each, answers checked).

The figures of a smoke run mean nothing and are not looked at; speed is
judged by `make bench` only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.__main__ import BENCHES

REPO = Path(__file__).resolve().parents[2]


def test_every_bench_runs_and_checks_its_answers() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    for name in BENCHES:
        assert f"{name}:" in done.stdout, done.stdout
    assert "kernel:" in done.stdout  # the summary line: every variant was measured
