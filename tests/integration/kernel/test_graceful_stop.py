"""A service process told to stop (SIGTERM) drains, finishes what it serves, then exits."""

from __future__ import annotations

import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from testkit.waiting import eventually_sync
from tools.ports import free_port
from tools.procs import ManagedProcess, http_ok, tcp_open

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def ready_status(base: str) -> int:
    """The status of `/ready` on a connection of its own."""
    try:
        return httpx.get(f"{base}/ready", timeout=5).status_code
    except httpx.TransportError:
        return 0


def test_sigterm_turns_readiness_503_finishes_requests_and_closes_connections(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started, release = tmp_path / "started", tmp_path / "release"
    env = {
        "DRAINING_PORT": str(port),
        "DRAINING_STARTED_FILE": str(started),
        "DRAINING_RELEASE_FILE": str(release),
        # Long enough for the checks below; the request in flight outlasts it anyway.
        "SERVE_DRAIN_SECONDS": "5",
        "SERVE_STOP_TIMEOUT_SECONDS": "60",
    }
    service = ManagedProcess(
        "draining",
        [sys.executable, "-m", "tests.integration.kernel.draining_service"],
        env=env,
        cwd=ROOT,
        log_path=tmp_path / "draining.log",
        ready=lambda: http_ok(f"{base}/ready"),
        port=port,
    )
    with (
        service,
        httpx.Client(base_url=base, timeout=30) as kept_alive,
        ThreadPoolExecutor(1) as pool,
        connect(f"ws://127.0.0.1:{port}/ws") as socket,
    ):
        first = kept_alive.get("/hello")
        assert "close" not in first.headers.get("connection", "")
        slow = pool.submit(httpx.get, f"{base}/slow", timeout=120)
        eventually_sync(started.exists, what="the slow request to start")
        assert service.pid is not None
        os.kill(service.pid, signal.SIGTERM)

        eventually_sync(lambda: ready_status(base) == 503, what="readiness to turn 503")
        again = kept_alive.get("/hello")  # the same connection: answered, then closed
        assert again.text == "hello"
        assert again.headers["connection"] == "close"

        # The drain over, the listeners close while the slow request still runs.
        eventually_sync(lambda: not tcp_open("127.0.0.1", port), timeout=30, what="the close")
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=30)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1012  # service restart: clients reconnect
        assert not slow.done()
        release.touch()
        answer = slow.result(timeout=60)
        assert (answer.status_code, answer.text) == (200, "done")
        assert service.wait(30) == 0
