"""tools.procs with real (tiny) child processes: start, readiness, stop, failures."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import time
from pathlib import Path

import pytest

from testkit.waiting import eventually_sync
from tools.procs import (
    ManagedProcess,
    StartupError,
    free_port,
    http_ok,
    port_free,
    tcp_open,
)
from tools.stores import redis_ping


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def logged(proc: ManagedProcess, marker: str) -> bool:
    return marker in proc.log_tail()


def gone(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie nobody reaps counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def http_server(tmp_path: Path, port: int) -> ManagedProcess:
    return ManagedProcess(
        "web",
        python(f"""
            import http.server
            http.server.ThreadingHTTPServer(
                ("127.0.0.1", {port}), http.server.SimpleHTTPRequestHandler
            ).serve_forever()
        """),
        cwd=tmp_path,
        log_path=tmp_path / "logs" / "web.log",
        ready=lambda: http_ok(f"http://127.0.0.1:{port}/"),
        ready_timeout=10,
    )


def test_start_wait_ready_stop(tmp_path):
    port = free_port()
    proc = http_server(tmp_path, port)
    assert (proc.pid, proc.alive, proc.returncode) == (None, False, None)

    proc.start()
    proc.wait_ready()
    assert proc.alive
    assert proc.pid is not None
    assert os.getpgid(proc.pid) == proc.pid  # its own process group
    assert tcp_open("127.0.0.1", port)

    code = proc.stop()
    assert code == -signal.SIGTERM
    assert not proc.alive
    assert proc.returncode == code
    assert not tcp_open("127.0.0.1", port)
    assert port_free(port)
    assert proc.stop() == code  # idempotent
    assert proc.kill() == code


def test_context_manager_starts_and_stops(tmp_path):
    port = free_port()
    with http_server(tmp_path, port) as proc:
        assert http_ok(f"http://127.0.0.1:{port}/")
    assert not proc.alive
    assert not tcp_open("127.0.0.1", port)


def test_env_is_merged_over_os_environ_and_cwd_is_used(tmp_path):
    proc = ManagedProcess(
        "env",
        python("""
            import os
            print(os.environ["PROCS_TEST"], "PATH" in os.environ, os.getcwd(), flush=True)
        """),
        env={"PROCS_TEST": "from-env"},
        cwd=tmp_path,
        log_path=tmp_path / "env.log",
        ready=lambda: False,
    )
    proc.start()
    assert proc.wait(10) == 0
    assert proc.log_tail() == f"from-env True {tmp_path}"


def test_early_exit_raises_startup_error_with_the_log_tail(tmp_path):
    proc = ManagedProcess(
        "doomed",
        python("""
            import sys
            for i in range(100):
                print(f"line {i}")
            print("cannot open the data folder", file=sys.stderr)
            sys.exit(3)
        """),
        log_path=tmp_path / "doomed.log",
        ready=lambda: False,
    )
    proc.start()
    with pytest.raises(StartupError) as caught:
        proc.wait_ready()
    text = str(caught.value)
    assert "doomed exited with code 3" in text
    assert "cannot open the data folder" in text  # stderr goes to the log too
    assert "line 99" in text
    assert "line 50\n" not in text  # only the tail
    assert proc.returncode == 3
    assert proc.stop() == 3


def test_not_ready_in_time_raises_and_leaves_the_process_to_stop(tmp_path):
    proc = ManagedProcess(
        "slow",
        python("""
            import time
            print("warming up", flush=True)
            time.sleep(60)
        """),
        log_path=tmp_path / "slow.log",
        ready=lambda: False,
        ready_timeout=0.5,
    )
    proc.start()
    with pytest.raises(StartupError, match=r"slow not ready after 0\.5s") as caught:
        proc.wait_ready()
    eventually_sync(
        lambda: "warming up" in str(caught.value) or logged(proc, "warming up"), timeout=5
    )
    assert proc.alive
    proc.stop()
    assert not proc.alive


def test_a_failing_probe_counts_as_not_ready(tmp_path):
    def probe() -> bool:
        raise ConnectionError("not yet")

    proc = ManagedProcess(
        "flaky",
        python("import time; time.sleep(60)"),
        log_path=tmp_path / "flaky.log",
        ready=probe,
        ready_timeout=0.3,
    )
    with pytest.raises(StartupError, match="flaky not ready"), proc:
        pass
    assert not proc.alive  # the context manager stops it on failure


def test_stop_kills_the_whole_process_group(tmp_path):
    proc = ManagedProcess(
        "parent",
        python("""
            import subprocess, sys, time
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            print(f"child {child.pid}", flush=True)
            time.sleep(60)
        """),
        log_path=tmp_path / "parent.log",
        ready=lambda: logged(proc, "child "),
    )
    with proc:
        child = int(proc.log_tail().split()[-1])
        assert not gone(child)
    assert gone(child)


def test_stop_escalates_to_sigkill_when_sigterm_is_ignored(tmp_path):
    proc = ManagedProcess(
        "stubborn",
        python("""
            import signal, time
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            print("ignoring SIGTERM", flush=True)
            time.sleep(60)
        """),
        log_path=tmp_path / "stubborn.log",
        ready=lambda: logged(proc, "ignoring SIGTERM"),
    )
    proc.start()
    proc.wait_ready()
    began = time.monotonic()
    assert proc.stop(timeout=0.5) == -signal.SIGKILL
    assert time.monotonic() - began < 5


def test_stop_also_ends_children_left_behind_by_a_leader_that_exited(tmp_path):
    proc = ManagedProcess(
        "leaver",
        python("""
            import subprocess, sys
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            print(f"child {child.pid}", flush=True)
        """),
        log_path=tmp_path / "leaver.log",
        ready=lambda: False,
    )
    proc.start()
    assert proc.wait(10) == 0
    child = int(proc.log_tail().split()[-1])
    assert not gone(child)
    proc.stop(timeout=2)
    eventually_sync(lambda: gone(child), timeout=5, what=f"{child} to exit")


def test_kill_is_immediate_and_the_process_can_be_restarted(tmp_path):
    port = free_port()
    proc = http_server(tmp_path, port)
    with proc:
        first_pid = proc.pid
        assert proc.kill() == -signal.SIGKILL
        assert not proc.alive
        eventually_sync(lambda: port_free(port), timeout=5, what=f"port {port} to be free")

        proc.start()  # a restart appends to the log; log_tail shows this run only
        proc.wait_ready()
        assert proc.alive
        assert proc.pid != first_pid
    assert not proc.alive


def test_start_twice_is_refused(tmp_path):
    proc = ManagedProcess(
        "once",
        python("import time; time.sleep(60)"),
        log_path=tmp_path / "once.log",
        ready=lambda: True,
    )
    with proc, pytest.raises(RuntimeError, match="already running"):
        proc.start()


def test_log_tail_returns_the_last_lines(tmp_path):
    proc = ManagedProcess(
        "counter",
        python("for i in range(10): print(i)"),
        log_path=tmp_path / "counter.log",
        ready=lambda: False,
    )
    assert proc.log_tail() == ""
    proc.start()
    proc.wait(10)
    assert proc.log_tail(3) == "7\n8\n9"


def test_probes_say_no_when_nothing_listens():
    port = free_port()
    assert port_free(port)
    assert not tcp_open("127.0.0.1", port)
    assert not http_ok(f"http://127.0.0.1:{port}/ready", timeout=0.2)
    assert not redis_ping(f"redis://127.0.0.1:{port}/0", timeout=0.2)
