"""Start, probe and stop local processes: subgraphs, the gateway, `tools.stores`.

Used by ``python -m tools.stack`` (``make up``) and by the pytest fixtures.
Every process runs in its own process group, so stopping it also stops
whatever it spawned, and a Ctrl-C in the terminal reaches only the runner,
which then stops its children in order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from tools.ports import free_port, free_port_block, port_free

__all__ = [
    "LOG_TAIL_LINES",
    "ManagedProcess",
    "StartupError",
    "describe_exit",
    "free_port",
    "free_port_block",
    "http_ok",
    "port_free",
    "tcp_open",
]

LOG_TAIL_LINES = 40

# urllib honours HTTP(S)_PROXY; local probes must never go through a proxy.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class StartupError(RuntimeError):
    """A managed process exited or did not become ready in time."""


def describe_exit(code: int) -> str:
    """``exited with code 3`` or ``was killed by SIGKILL`` for a Popen return code."""
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


# --------------------------------------------------------------------- probes


def tcp_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_ok(url: str, timeout: float = 1.0) -> bool:
    """True when ``GET url`` answers with a 2xx status."""
    try:
        with _http.open(url, timeout=timeout) as response:
            status: int = response.status
            return 200 <= status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


# ------------------------------------------------------------------- process


class ManagedProcess:
    """One child process in its own process group, logging to a file.

    ``start()`` launches it, ``wait_ready()`` polls ``ready`` until it holds,
    ``stop()`` sends SIGTERM to the group and SIGKILL after a grace period.
    As a context manager it starts, waits until ready, and stops on exit.
    Given ``port``, ``start()`` refuses to run while 127.0.0.1:``port`` is
    taken, so the readiness probe cannot be answered by another process.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str | os.PathLike[str]],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        log_path: Path,
        ready: Callable[[], bool],
        ready_timeout: float = 30.0,
        port: int | None = None,
        url: str | None = None,
        append_log: bool = False,
        pass_fds: Sequence[int] = (),
    ) -> None:
        self.name = name
        self.argv = [os.fspath(arg) for arg in argv]
        self.env = dict(env or {})
        self.cwd = cwd
        self.log_path = Path(log_path)
        self.ready = ready
        self.ready_timeout = ready_timeout
        self.port = port  # the port it listens on, if known: checked free before start
        self.url = url  # what clients connect to, if it serves something
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0
        self._starts = 0
        self._append_log = append_log  # a successor of a running process: its log goes on
        self.pass_fds = tuple(pass_fds)  # descriptors it inherits (a shared listening socket)
        self._group_gone = False  # the group was seen empty: never signal its id again

    def __repr__(self) -> str:
        return f"ManagedProcess({self.name!r}, pid={self.pid}, alive={self.alive})"

    @property
    def pid(self) -> int | None:
        """Process id (also the process group id) of the last start, if any."""
        return self._proc.pid if self._proc else None

    @property
    def alive(self) -> bool:
        """True while the started process has not exited."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        """Exit status once exited (negative: killed by that signal), else None."""
        return self._proc.poll() if self._proc else None

    def start(self) -> None:
        """Launch the process; its output goes to ``log_path``.

        The first start truncates the log (unless ``append_log``), later starts (restarts)
        append.
        Raises StartupError at once if ``port`` is taken.
        """
        if self.alive:
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        if self.port is not None and not port_free(self.port):
            raise StartupError(f"{self.name}: port {self.port} is taken by another process")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        mode = "ab" if self._starts or self._append_log else "wb"
        with self.log_path.open(mode) as log:
            self._log_offset = log.tell()
            self._proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                env={**os.environ, **self.env},
                start_new_session=True,
                pass_fds=self.pass_fds,
            )
        self._starts += 1
        self._group_gone = False

    def wait_ready(self) -> None:
        """Poll ``ready`` until it returns True.

        Raises StartupError if the process exits first or ``ready_timeout``
        passes; the process is left as it is (call ``stop()``).
        """
        if self._proc is None:
            raise RuntimeError(f"{self.name} was not started")
        deadline = time.monotonic() + self.ready_timeout
        delay = 0.05
        while True:
            code = self._proc.poll()
            if code is not None:
                raise StartupError(self.report(f"{describe_exit(code)} before it was ready"))
            if self._probe():
                return
            if time.monotonic() >= deadline:
                raise StartupError(self.report(f"not ready after {self.ready_timeout:g}s"))
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def ready_now(self) -> bool:
        """One readiness probe, now (False when it raises)."""
        return self._probe()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to exit and return its exit status.

        Raises TimeoutError if it still runs after ``timeout`` seconds.
        """
        if self._proc is None:
            raise RuntimeError(f"{self.name} was not started")
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(f"{self.name} still runs after {timeout:g}s") from exc

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM the process group, SIGKILL it after ``timeout`` seconds.

        Idempotent; also ends group members left behind by a leader that
        already exited. Returns the exit status (None if never started).
        """
        if self._proc is None:
            return None
        self._signal_group(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(max(deadline - time.monotonic(), 0))
        while self._group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._proc.poll() is None or self._group_alive():
            self._signal_group(signal.SIGKILL)
        code = self._proc.wait()
        self._group_gone = not self._group_alive()
        return code

    def kill(self) -> int | None:
        """SIGKILL the whole process group at once (crash tests)."""
        if self._proc is None:
            return None
        self._signal_group(signal.SIGKILL)
        code = self._proc.wait()
        self._group_gone = not self._group_alive()
        return code

    def log_tail(self, n: int = LOG_TAIL_LINES) -> str:
        """The last ``n`` lines this process (last start) wrote to its log."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self._log_offset)
                data = log.read()
        except FileNotFoundError:
            return ""
        lines = data.decode("utf-8", errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def report(self, what: str) -> str:
        """``"<name> <what>"`` followed by the tail of its log, for error messages."""
        tail = self.log_tail() or "(log is empty)"
        return (
            f"{self.name} {what}\n"
            f"--- last {LOG_TAIL_LINES} lines of {self.log_path} ---\n{tail}\n---"
        )

    def __enter__(self) -> Self:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _probe(self) -> bool:
        try:
            return self.ready()
        except Exception:
            return False

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self._proc is not None
        if self._group_gone:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, sig)

    def _group_alive(self) -> bool:
        assert self._proc is not None
        return not self._group_gone and _group_has_live_members(self._proc.pid)


def _group_has_live_members(pgid: int) -> bool:
    """True while a process of group ``pgid`` runs; zombies do not count.

    Orphans are reparented to pid 1, which in some containers never reaps
    them, and ``killpg(pgid, 0)`` succeeds on zombies, so read /proc.
    """
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():  # not Linux
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False
