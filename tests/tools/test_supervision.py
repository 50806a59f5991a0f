"""The supervisor of tools.stack with tiny real processes: restart with backoff, then give up."""

from __future__ import annotations

import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tools.procs import ManagedProcess
from tools.stack import PartDied, Stack, supervision

pytestmark = pytest.mark.integration


def flaky(tmp_path: Path, *, lives: int | None) -> ManagedProcess:
    """Ready once its marker exists; exits 3 after a moment, `lives` times (None: always)."""
    marker, count = tmp_path / "up", tmp_path / "starts"
    code = textwrap.dedent(
        f"""
        import pathlib, sys, time
        count = pathlib.Path({str(count)!r})
        starts = int(count.read_text()) + 1 if count.exists() else 1
        count.write_text(str(starts))
        pathlib.Path({str(marker)!r}).touch()
        print(f"start {{starts}}: boom", flush=True)
        if {lives!r} is None or starts <= {lives!r}:
            time.sleep(0.2)
            sys.exit(3)
        time.sleep(600)
        """
    )
    return ManagedProcess(
        "flaky",
        [sys.executable, "-c", code],
        log_path=tmp_path / "flaky.log",
        ready=marker.exists,
    )


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervision, "FIRST_BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(supervision, "MAX_BACKOFF_SECONDS", 0.05)


def watch_until(stack: Stack, condition, timeout: float = 60.0) -> None:
    stop = threading.Event()
    timer = threading.Timer(timeout, stop.set)
    timer.start()
    try:
        while not stop.is_set() and not condition():
            stack.check()
            stop.wait(0.02)
    finally:
        timer.cancel()
    assert condition(), "timed out"


def test_a_part_that_keeps_dying_is_given_up_on_with_its_log_tail(tmp_path, quick):
    lines: list[str] = []
    stack = Stack(log=lines.append)
    stack.launch(flaky(tmp_path, lives=None))
    stop = threading.Event()
    timer = threading.Timer(60, stop.set)
    timer.start()
    try:
        with pytest.raises(PartDied) as died:
            stack.watch(stop)
    finally:
        timer.cancel()
        stack.stop_all()
    text = str(died.value)
    assert "flaky exited with code 3; gave up after 5 quick restarts" in text
    assert "start 6: boom" in text  # the log tail of the last start
    restarts = [line for line in lines if "restarting in" in line]
    assert [line.split("(attempt ")[1] for line in restarts] == [f"{n} of 5)" for n in range(1, 6)]
    assert (
        restarts[0] == "supervisor: flaky exited with code 3; restarting in 0.01s (attempt 1 of 5)"
    )


def test_a_part_that_recovers_is_kept(tmp_path, quick):
    lines: list[str] = []
    stack = Stack(log=lines.append)
    part = flaky(tmp_path, lives=2)
    stack.launch(part)
    try:
        watch_until(
            stack,
            lambda: (
                (tmp_path / "starts").read_text() == "3"
                and any("is back" in line for line in lines[-1:])
            ),
        )
        assert part.alive
        assert sum("restarting in" in line for line in lines) == 2
    finally:
        stack.stop_all()
    assert not part.alive


def test_a_held_part_stays_down_until_released(tmp_path, quick):
    lines: list[str] = []
    stack = Stack(log=lines.append)
    part = flaky(tmp_path, lives=0)
    stack.launch(part)
    try:
        stack.hold("flaky")
        assert not part.alive
        for _ in range(20):
            stack.check()
        assert not part.alive
        stack.release("flaky")
        watch_until(stack, lambda: part.alive and any("is back" in line for line in lines))
    finally:
        stack.stop_all()
