"""`python -m tools.stack` (what `make up` runs): the whole local stack, supervised.

Starts, in order and each after the previous one is ready: MongoDB
(SecantusDB, unless MONGODB_URI is set), Redis (unless one answers at
REDIS_URL), the SMTP sink (unless SMTP_HOST is set), every subgraph listed
in supergraph.yaml, the workers, supergraph composition, the gateway
(Hive Gateway) and the storefront (tools/storefront_server.py serving the
built web app on :3000, printed first). Logs go to .run/logs/<part>.log; the
sink keeps mail in .data/mail.

Supervision: a part that exits after it was ready is started again after a
backoff (0.5 s, doubling up to 10 s), with a line saying what died, how and
which attempt this is. A part that fails MAX_QUICK_FAILURES times in a row
without staying up STABLE_SECONDS is given up on: its log tail is printed
and the whole stack stops (exit status 1). Ctrl-C or SIGTERM stops every
part in reverse order.

One stack per data folder: the runner holds an exclusive lock on
`<data>/stack.lock` (which also says where the running stack is), so a second
`make up` says the stack is already running and exits with status 1 without
touching it.

Replicas: with REPLICAS=N (default 1) every subgraph and the notifications
worker run as N processes sharing their port (SO_REUSEPORT: the kernel
spreads connections over them); each process also listens on a private port
of its own, which the runner probes, so every replica is checked and
restarted on its own. `/metrics` on the shared port sums every process of
that service (METRICS_MULTIPROCESS_DIR, see subgraphs/kernel/observability/metrics.py).
The gateway runs once (see router/README.md).

Settings (environment), so a second stack can run on other ports:
  STACK_BASE_PORT       4000: the gateway; subgraph ports keep their offset
                        from supergraph.yaml (4001-4004), the worker is +14, the
                        gateway's internal listener (/metrics) +10
  STACK_MONGO_PORT      27017
  STACK_SMTP_PORT       1025 (SMTP) and STACK_SMTP_HTTP_PORT 8025 (its HTTP API)
  STACK_STOREFRONT_PORT 3000 (the gateway's CORS_ORIGINS must allow it)
  STACK_DATA_DIR        .data (databases, mail, keys, the lock)
  STACK_RUN_DIR         .run (logs, metrics files)
  REPLICAS              1
plus MONGODB_URI, REDIS_URL and SMTP_HOST to use servers that already run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

import yaml

from tools import procs, stores
from tools.procs import ManagedProcess, StartupError
from tools.storefront_server import storefront_process

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".run" / "logs"
DATA = ROOT / ".data"

# The gateway: run with cwd=router/. Change the command here and only here.
GATEWAY_PORT = 4000
STOREFRONT_PORT = 3000  # the gateway's development CORS default allows this origin
GATEWAY_ARGV = [
    "node_modules/.bin/hive-gateway",
    "supergraph",
    "--config-path",
    "gateway.config.ts",
]

MONGO_PORT = 27017
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
SMTP_SINK_PORT = 1025  # SMTP; the worker's SMTP_PORT default
SMTP_SINK_HTTP_PORT = 8025  # lists the messages
# `python -m workers.<name>` and the offset of its /health, /ready and /metrics port.
WORKERS = {"notifications": 14}
COMPOSE_TIMEOUT = 120.0

# Supervision
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0
STABLE_SECONDS = 30.0  # up this long: the next death starts a fresh series of attempts
MAX_QUICK_FAILURES = 5  # deaths in a row, none up STABLE_SECONDS: give up
WATCH_INTERVAL = 0.2
LOCK_NAME = "stack.lock"


class Stopped(Exception):
    """Raised by the SIGINT/SIGTERM/SIGHUP handler to unwind to the shutdown."""


class PartDied(Exception):
    """A part kept failing: the supervisor gave up on it."""


class AlreadyRunning(Exception):
    """Another stack holds the lock of this data folder."""


# ------------------------------------------------------------------- settings


@dataclass(frozen=True)
class StackConfig:
    """Where the stack runs: ports and folders (defaults: `make up`'s fixed ones)."""

    base_port: int = GATEWAY_PORT
    mongo_port: int = MONGO_PORT
    smtp_port: int = SMTP_SINK_PORT
    smtp_http_port: int = SMTP_SINK_HTTP_PORT
    storefront_port: int = STOREFRONT_PORT
    data_dir: Path = DATA
    run_dir: Path = ROOT / ".run"
    replicas: int = 1

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StackConfig:
        env = os.environ if env is None else env

        def number(name: str, default: int) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise StartupError(f"{name}={raw!r} is not a whole number") from None
            if value < 1:
                raise StartupError(f"{name}={raw!r} must be at least 1")
            return value

        def folder(name: str, default: Path) -> Path:
            raw = env.get(name, "").strip()
            return (ROOT / raw).resolve() if raw else default

        return cls(
            base_port=number("STACK_BASE_PORT", GATEWAY_PORT),
            mongo_port=number("STACK_MONGO_PORT", MONGO_PORT),
            smtp_port=number("STACK_SMTP_PORT", SMTP_SINK_PORT),
            smtp_http_port=number("STACK_SMTP_HTTP_PORT", SMTP_SINK_HTTP_PORT),
            storefront_port=number("STACK_STOREFRONT_PORT", STOREFRONT_PORT),
            data_dir=folder("STACK_DATA_DIR", DATA),
            run_dir=folder("STACK_RUN_DIR", ROOT / ".run"),
            replicas=number("REPLICAS", 1),
        )

    @property
    def logs(self) -> Path:
        return self.run_dir / "logs"

    @property
    def gateway_port(self) -> int:
        return self.base_port

    def shifted(self, default_port: int) -> int:
        """A port of the default layout (4000-4014) moved to this stack's base."""
        return default_port - GATEWAY_PORT + self.base_port

    @property
    def default_layout(self) -> bool:
        return self.base_port == GATEWAY_PORT


@dataclass(frozen=True)
class Subgraph:
    """A subgraph from supergraph.yaml."""

    name: str
    routing_url: str

    @property
    def port(self) -> int:
        port = urllib.parse.urlsplit(self.routing_url).port
        if port is None:
            raise ValueError(f"subgraph {self.name}: routing_url {self.routing_url} has no port")
        return port

    def url(self, path: str) -> str:
        return f"http://localhost:{self.port}{path}"


def read_subgraphs(config: Path, base_port: int = GATEWAY_PORT) -> list[Subgraph]:
    """The subgraphs listed in a rover-style supergraph.yaml, in file order.

    Their ports are moved by ``base_port - 4000`` (the default layout is 4001-4004).
    """
    data = yaml.safe_load(config.read_text())
    entries = (data or {}).get("subgraphs") or {}
    subgraphs = []
    for name, entry in entries.items():
        url = entry["routing_url"]
        if base_port != GATEWAY_PORT:
            parts = urllib.parse.urlsplit(url)
            port = Subgraph(name, url).port - GATEWAY_PORT + base_port
            url = urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.hostname}:{port}"))
        subgraphs.append(Subgraph(name, url))
    return subgraphs


def say(text: str) -> None:
    print(text, flush=True)


def redact(url: str) -> str:
    """``url`` without its password, for printing."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


# ----------------------------------------------------------------------- lock


class StackLock:
    """An exclusive lock on `<data>/stack.lock`; the file says who holds it and where."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise AlreadyRunning with what the holder wrote."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read()
            file.close()
            raise AlreadyRunning(describe_holder(holder, self.path)) from None
        self._file = file
        self.write({"pid": os.getpid(), "state": "starting"})

    def write(self, info: dict[str, Any]) -> None:
        assert self._file is not None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(json.dumps(info, indent=2) + "\n")
        self._file.flush()

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.seek(0)
                self._file.truncate()
            self._file.close()  # closing drops the flock
            self._file = None


def describe_holder(text: str, path: Path) -> str:
    try:
        info = json.loads(text)
    except ValueError:
        info = {}
    pid = info.get("pid", "unknown")
    lines = [f"the stack is already running (pid {pid}, lock {path}); nothing was started."]
    urls = info.get("urls") or {}
    if urls:
        width = max(map(len, urls)) + 2
        lines.append("it serves:")
        lines += [f"  {name:<{width}}{url}" for name, url in urls.items()]
    elif info.get("state") == "starting":
        lines.append("it is still starting.")
    lines.append(f"stop it with Ctrl-C in its terminal, or: kill {pid}")
    return "\n".join(lines)


# ---------------------------------------------------------------- supervision


@dataclass
class Supervised:
    """A long-running part and its restart bookkeeping."""

    part: ManagedProcess
    up_since: float = 0.0
    failures: int = 0  # deaths in a row, none after a stable run
    restart_at: float | None = None  # waiting for its backoff
    starting_until: float | None = None  # restarted, waiting for readiness
    held: bool = False  # stopped on purpose (a test or the chaos run): not restarted
    restarts: int = 0


@dataclass(frozen=True)
class Restart:
    """One supervision event, for the chaos report."""

    at: float
    part: str
    what: str


class Stack:
    """The parts started so far, supervised, stopped in reverse order."""

    def __init__(self, *, log: Callable[[str], None] = say) -> None:
        self.env: dict[str, str] = {}  # exported to every child, over os.environ
        self.parts: list[ManagedProcess] = []
        self.supervised: dict[str, Supervised] = {}
        self.history: list[Restart] = []
        self.say = log
        self.on_change: Callable[[], None] | None = None  # after a part died or came back
        self._lock = threading.RLock()

    def launch(self, part: ManagedProcess) -> None:
        """Start ``part`` and wait until it is ready; it is supervised and stopped with the rest."""
        self.say(f"starting {part.name} ...")
        began = time.monotonic()
        with self._lock:
            self.parts.append(part)
        part.start()
        part.wait_ready()
        with self._lock:
            self.supervised[part.name] = Supervised(part, up_since=time.monotonic())
        self.say(f"{part.name} ready ({time.monotonic() - began:.1f}s)")

    def launch_all(self, parts: list[ManagedProcess]) -> None:
        """Start ``parts`` together and wait until every one is ready."""
        began = time.monotonic()
        self.say(f"starting {', '.join(p.name for p in parts)} ...")
        with self._lock:
            self.parts.extend(parts)
        for part in parts:
            part.start()
        for part in parts:
            part.wait_ready()
        with self._lock:
            for part in parts:
                self.supervised[part.name] = Supervised(part, up_since=time.monotonic())
        self.say(f"{', '.join(p.name for p in parts)} ready ({time.monotonic() - began:.1f}s)")

    def run_once(self, part: ManagedProcess, timeout: float) -> None:
        """Run a one-shot ``part`` to completion; raise StartupError if it fails."""
        self.say(f"running {part.name} ...")
        began = time.monotonic()
        with self._lock:
            self.parts.append(part)
        part.start()
        try:
            code = part.wait(timeout)
        except TimeoutError as exc:
            raise StartupError(part.report(f"did not finish in {timeout:g}s")) from exc
        with self._lock:
            self.parts.remove(part)
        if code != 0:
            raise StartupError(part.report(procs.describe_exit(code)))
        self.say(f"{part.name} done ({time.monotonic() - began:.1f}s)")

    def part(self, name: str) -> ManagedProcess:
        return self.supervised[name].part

    def names(self, prefix: str) -> list[str]:
        """The supervised parts called ``prefix`` or ``prefix-<n>`` (replicas)."""
        return [n for n in self.supervised if n == prefix or n.startswith(f"{prefix}-")]

    def is_up(self, name: str) -> bool:
        """True when ``name`` runs and the supervisor saw it ready (not held or restarting)."""
        with self._lock:
            entry = self.supervised[name]
            return (
                entry.part.alive
                and not entry.held
                and entry.restart_at is None
                and entry.starting_until is None
            )

    def hold(self, name: str) -> None:
        """Stop ``name`` and keep it stopped until ``release(name)``."""
        with self._lock:
            entry = self.supervised[name]
            entry.held = True
            entry.restart_at = entry.starting_until = None
        entry.part.stop()
        self._note(name, "held (stopped on purpose)")

    def release(self, name: str) -> None:
        """Start a held part again (readiness is awaited by the supervisor)."""
        with self._lock:
            entry = self.supervised[name]
            entry.held = False
            entry.failures = 0
            entry.restart_at = time.monotonic()

    def watch(self, stop: threading.Event | None = None) -> None:
        """Supervise until ``stop`` is set or a signal arrives; PartDied when giving up."""
        while stop is None or not stop.is_set():
            self.check()
            time.sleep(WATCH_INTERVAL)

    def check(self) -> None:
        """One supervision pass over every part."""
        now = time.monotonic()
        with self._lock:
            entries = list(self.supervised.values())
        for entry in entries:
            with self._lock:
                if entry.held:
                    continue
                self._check(entry, now)

    def _check(self, entry: Supervised, now: float) -> None:
        part = entry.part
        if entry.restart_at is not None:
            if now >= entry.restart_at:
                entry.restart_at = None
                part.stop()  # whatever the dead leader left in its process group
                try:
                    part.start()
                except StartupError as exc:
                    self._failed(entry, now, str(exc))
                    return
                entry.starting_until = now + part.ready_timeout
            return
        code = part.returncode
        if entry.starting_until is not None:
            if code is not None:
                self._failed(entry, now, f"{procs.describe_exit(code)} before it was ready")
            elif part.ready_now():
                entry.starting_until = None
                entry.up_since = now
                self._note(part.name, f"is back (pid {part.pid})")
            elif now >= entry.starting_until:
                part.stop()
                self._failed(entry, now, f"not ready after {part.ready_timeout:g}s")
            return
        if code is None:
            return
        if now - entry.up_since >= STABLE_SECONDS:
            entry.failures = 0
        self._failed(entry, now, procs.describe_exit(code))

    def _failed(self, entry: Supervised, now: float, what: str) -> None:
        part = entry.part
        entry.failures += 1
        entry.starting_until = None
        if entry.failures > MAX_QUICK_FAILURES:
            raise PartDied(
                part.report(f"{what}; gave up after {MAX_QUICK_FAILURES} quick restarts")
            )
        backoff = min(FIRST_BACKOFF_SECONDS * 2 ** (entry.failures - 1), MAX_BACKOFF_SECONDS)
        entry.restart_at = now + backoff
        entry.restarts += 1
        self._note(
            part.name,
            f"{what}; restarting in {backoff:g}s "
            f"(attempt {entry.failures} of {MAX_QUICK_FAILURES})",
        )

    def _note(self, name: str, what: str) -> None:
        self.history.append(Restart(time.monotonic(), name, what))
        self.say(f"supervisor: {name} {what}")
        if self.on_change is not None:
            self.on_change()

    def pids(self) -> dict[str, dict[str, int | None]]:
        """Every supervised part's process id (None while it is down) and probed port."""
        with self._lock:
            return {
                name: {"pid": e.part.pid if e.part.alive else None, "port": e.part.port}
                for name, e in self.supervised.items()
            }

    def stop_all(self) -> None:
        with self._lock:
            parts = list(reversed(self.parts))
            self.parts.clear()
            self.supervised.clear()
        for part in parts:
            if part.alive:
                self.say(f"stopping {part.name} ...")
            part.stop()


# ---------------------------------------------------------------------- parts


def replica_env(private_port: int) -> dict[str, str]:
    """What makes a process one replica of several on a shared port (kernel/runtime/serve.py)."""
    return {"SERVE_REUSE_PORT": "true", "SERVE_PRIVATE_PORT": str(private_port)}


def subgraph_process(
    name: str,
    port: int,
    *,
    env: dict[str, str],
    log_dir: Path,
    replica: int | None = None,
    private_port: int | None = None,
) -> ManagedProcess:
    """`python -m subgraphs.<name>`, ready when its /ready answers 200 (not started yet).

    With ``replica`` and ``private_port`` it is one of several processes on
    ``port``, probed on its own ``private_port``.
    """
    label = name if replica is None else f"{name}-{replica}"
    extra = {f"{name.upper()}_PORT": str(port)}
    if private_port is not None:
        extra.update(replica_env(private_port))
    probe_port = private_port or port
    ready = f"http://127.0.0.1:{probe_port}/ready"
    return ManagedProcess(
        label,
        [sys.executable, "-m", f"subgraphs.{name}"],
        env={**env, **extra},
        cwd=ROOT,
        log_path=log_dir / f"{label}.log",
        ready=lambda: procs.http_ok(ready),
        port=probe_port,
        url=f"http://localhost:{port}/graphql",
    )


def worker_process(
    name: str,
    port: int,
    *,
    env: dict[str, str],
    log_dir: Path,
    replica: int | None = None,
    private_port: int | None = None,
) -> ManagedProcess:
    """`python -m workers.<name>`, ready when its /ready answers 200 (not started yet)."""
    label = f"{name}-worker" if replica is None else f"{name}-worker-{replica}"
    extra = {f"{name.upper()}_WORKER_PORT": str(port)}
    if private_port is not None:
        extra.update(replica_env(private_port))
    probe_port = private_port or port
    ready = f"http://127.0.0.1:{probe_port}/ready"
    return ManagedProcess(
        label,
        [sys.executable, "-m", f"workers.{name}"],
        env={**env, **extra},
        cwd=ROOT,
        log_path=log_dir / f"{label}.log",
        ready=lambda: procs.http_ok(ready),
        port=probe_port,
        url=f"http://localhost:{port}/ready",
    )


def smtp_sink_process(
    smtp_port: int, http_port: int, *, maildir: Path, log_dir: Path
) -> ManagedProcess:
    """The SMTP sink (tools/smtp_sink.py), ready when its HTTP /health answers (not started yet)."""
    ready = f"http://127.0.0.1:{http_port}/health"
    argv = [
        sys.executable, "-m", "tools.smtp_sink",
        "--smtp-port", str(smtp_port),
        "--http-port", str(http_port),
        "--maildir", str(maildir),
    ]  # fmt: skip
    return ManagedProcess(
        "smtp-sink",
        argv,
        cwd=ROOT,
        log_path=log_dir / "smtp-sink.log",
        ready=lambda: procs.http_ok(ready),
        port=http_port,
        url=f"http://localhost:{http_port}/messages",
    )


def gateway_process(
    port: int,
    *,
    env: dict[str, str],
    log_dir: Path,
    supergraph: Path | None = None,
    internal_port: int | None = None,
) -> ManagedProcess:
    """Hive Gateway on `port` serving `supergraph` (default router/supergraph.graphql).

    Its internal listener (/metrics) is on `internal_port`, a free port when not given.
    """
    extra = {"GATEWAY_PORT": str(port), "NO_COLOR": "1"}  # NO_COLOR: a plain-text log file
    extra["GATEWAY_INTERNAL_PORT"] = str(internal_port or procs.free_port())
    if supergraph is not None:
        extra["SUPERGRAPH_PATH"] = str(supergraph)
    ready = f"http://127.0.0.1:{port}/readiness"
    return ManagedProcess(
        "gateway",
        GATEWAY_ARGV,
        env={**env, **extra},
        cwd=ROOT / "router",
        log_path=log_dir / "gateway.log",
        ready=lambda: procs.http_ok(ready),
        ready_timeout=60.0,
        port=port,
        url=f"http://localhost:{port}/graphql",
    )


# -------------------------------------------------------------------- startup


def free_layout(data_dir: Path, run_dir: Path, *, replicas: int = 1) -> dict[str, str]:
    """Settings for a whole stack on free ports (tests, the chaos run): never make up's ones."""
    base = procs.free_port_block((0, 1, 2, 3, 4, 10, *WORKERS.values()))
    storefront = procs.free_port()
    return {
        "STACK_BASE_PORT": str(base),
        "STACK_MONGO_PORT": str(procs.free_port()),
        "STACK_SMTP_PORT": str(procs.free_port()),
        "STACK_SMTP_HTTP_PORT": str(procs.free_port()),
        "STACK_STOREFRONT_PORT": str(storefront),
        # The gateway lets the storefront's origin call it (CORS), as on make up's ports.
        "CORS_ORIGINS": f"http://localhost:{storefront},http://127.0.0.1:{storefront}",
        "STACK_DATA_DIR": str(data_dir),
        "STACK_RUN_DIR": str(run_dir),
        "REPLICAS": str(replicas),
        "REDIS_URL": stores.redis_url(procs.free_port()),
        "MONGODB_URI": "",  # empty: start SecantusDB (in data_dir)
        "SMTP_HOST": "",  # empty: start the sink
    }


@contextlib.contextmanager
def free_layout_in_environ(
    data_dir: Path, run_dir: Path, *, replicas: int = 1
) -> Iterator[dict[str, str]]:
    """`free_layout` set in `os.environ` (the runner reads its settings from there) for the
    block, and the previous values back afterwards."""
    layout = free_layout(data_dir, run_dir, replicas=replicas)
    saved = {key: os.environ.get(key) for key in layout}
    os.environ.update(layout)
    try:
        yield layout
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def taken(what: str, port: int, setting: str) -> StartupError:
    return StartupError(
        f"{what}: port {port} is taken by another process (see `ss -ltnp 'sport = :{port}'`); "
        f"stop it, or set {setting}"
    )


def start_mongodb(stack: Stack, config: StackConfig) -> str:
    uri = os.environ.get("MONGODB_URI")
    if uri:
        if not stores.mongo_ping(uri, timeout=5.0):
            raise StartupError(f"mongodb: nothing answers at MONGODB_URI={redact(uri)}")
        stack.say(f"mongodb: using MONGODB_URI {redact(uri)}")
        return uri
    if not procs.port_free(config.mongo_port):
        raise taken("mongodb", config.mongo_port, "STACK_MONGO_PORT or MONGODB_URI")
    part = stores.secantusdb(
        config.mongo_port, config.data_dir / "mongo", config.logs / "mongodb.log"
    )
    stack.launch(part)
    assert part.url is not None
    return part.url


def start_redis(stack: Stack, config: StackConfig, *, fsync_always: bool = False) -> str:
    url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if stores.redis_ping(url):
        stack.say(f"redis: using the one at {redact(url)}")
        return url
    port = urllib.parse.urlsplit(url).port or 6379
    if not procs.port_free(port):
        raise taken("redis", port, "REDIS_URL")
    db = urllib.parse.urlsplit(url).path.strip("/") or "0"
    part = stores.redis_server(
        port,
        config.logs / "redis.log",
        dir=config.data_dir / "redis",
        persist=True,
        fsync_always=fsync_always,
    )
    stack.launch(part)
    return stores.redis_url(port, int(db))


def start_smtp_sink(stack: Stack, config: StackConfig) -> str | None:
    """The sink's message list URL; None when SMTP_HOST points at a real server."""
    if host := os.environ.get("SMTP_HOST"):
        stack.say(f"smtp: using SMTP_HOST {host} (no sink)")
        return None
    ports = {"STACK_SMTP_PORT": config.smtp_port, "STACK_SMTP_HTTP_PORT": config.smtp_http_port}
    for setting, port in ports.items():
        if not procs.port_free(port):
            raise taken("smtp-sink", port, f"{setting} or SMTP_HOST")
    part = smtp_sink_process(
        config.smtp_port,
        config.smtp_http_port,
        maildir=config.data_dir / "mail",
        log_dir=config.logs,
    )
    stack.launch(part)
    stack.env.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(config.smtp_port)})
    assert part.url is not None
    return part.url


def metrics_dir(config: StackConfig, service: str) -> Path:
    """Where the processes of ``service`` keep their counters (emptied at start)."""
    path = config.run_dir / "metrics" / service
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def service_processes(
    stack: Stack,
    config: StackConfig,
    name: str,
    port: int,
    make: Callable[..., ManagedProcess],
    *,
    service: str,
) -> list[ManagedProcess]:
    """``config.replicas`` processes of ``service`` on ``port`` (not started yet)."""
    env = {**stack.env, "METRICS_MULTIPROCESS_DIR": str(metrics_dir(config, service))}
    if config.replicas == 1:
        return [make(name, port, env=env, log_dir=config.logs)]
    if not procs.port_free(port):
        raise taken(name, port, "STACK_BASE_PORT")
    return [
        make(name, port, env=env, log_dir=config.logs, replica=i, private_port=procs.free_port())
        for i in range(1, config.replicas + 1)
    ]


def compose(stack: Stack, config: StackConfig, subgraphs: list[Subgraph]) -> Path | None:
    """Compose the supergraph; a path when it is not the committed router/supergraph.graphql."""
    if config.default_layout:
        stack.run_once(
            ManagedProcess(
                "compose",
                [sys.executable, "-m", "tools.compose"],
                env=stack.env,
                cwd=ROOT,
                log_path=config.logs / "compose.log",
                ready=lambda: True,
            ),
            COMPOSE_TIMEOUT,
        )
        return None
    from tools.compose import compose_supergraph  # imports every subgraph: only when needed

    stack.say("composing the supergraph for this stack's ports ...")
    path = config.run_dir / "supergraph.graphql"
    urls = {s.name: f"http://127.0.0.1:{s.port}/graphql" for s in subgraphs}
    path.write_text(compose_supergraph(urls), encoding="utf-8")
    return path


@dataclass
class Running:
    """What a started stack serves."""

    config: StackConfig
    subgraphs: list[Subgraph]
    mongodb: str
    redis: str
    smtp_sink: str | None
    gateway: str
    urls: dict[str, str] = field(default_factory=dict)


def start(
    stack: Stack,
    config: StackConfig,
    *,
    extra_env: Mapping[str, str] | None = None,
    redis_fsync_always: bool = False,
) -> Running:
    """Start every part of the stack described by ``config``, in order."""
    subgraphs = read_subgraphs(ROOT / "supergraph.yaml", config.base_port)
    stack.env.update(extra_env or {})
    stack.env["MONGODB_URI"] = mongodb = start_mongodb(stack, config)
    stack.env["REDIS_URL"] = redis = start_redis(stack, config, fsync_always=redis_fsync_always)
    smtp_sink = start_smtp_sink(stack, config)
    users = next((s for s in subgraphs if s.name == "users"), None)
    if users is not None:
        stack.env.setdefault(
            "AUTH_JWKS_URL", f"http://127.0.0.1:{users.port}/.well-known/jwks.json"
        )
    if not config.default_layout:
        stack.env.setdefault("USERS_SIGNING_KEY_FILE", str(config.data_dir / "keys" / "users.pem"))
    for subgraph in subgraphs:
        stack.launch_all(
            service_processes(
                stack,
                config,
                subgraph.name,
                subgraph.port,
                subgraph_process,
                service=subgraph.name,
            )
        )
    worker_ports = {name: config.shifted(GATEWAY_PORT + offset) for name, offset in WORKERS.items()}
    for name, port in worker_ports.items():
        stack.launch_all(
            service_processes(stack, config, name, port, worker_process, service=f"{name}-worker")
        )
    supergraph = compose(stack, config, subgraphs)
    stack.launch(
        gateway_process(
            config.gateway_port,
            env=stack.env,
            log_dir=config.logs,
            supergraph=supergraph,
            internal_port=config.shifted(GATEWAY_PORT + 10),
        )
    )
    gateway = f"http://localhost:{config.gateway_port}/graphql"
    urls = {}
    storefront = start_storefront(stack, config, gateway)
    if storefront is not None:
        urls["storefront"] = storefront
    urls["gateway"] = gateway
    urls.update({s.name: s.url("/graphql") for s in subgraphs})
    urls.update({f"{n}-worker": f"http://localhost:{p}/ready" for n, p in worker_ports.items()})
    if smtp_sink:
        urls["smtp-sink"] = smtp_sink
    return Running(config, subgraphs, mongodb, redis, smtp_sink, gateway, urls)


def start_storefront(stack: Stack, config: StackConfig, gateway: str) -> str | None:
    """The built web app on its port (None, with a note, when `storefront/dist` is missing)."""
    if not (ROOT / "storefront" / "dist" / "index.html").exists():
        stack.say("storefront: not built (make storefront builds it); skipped")
        return None
    if not procs.port_free(config.storefront_port):
        raise taken("storefront", config.storefront_port, "STACK_STOREFRONT_PORT")
    part = storefront_process(config.storefront_port, gateway_url=gateway, log_dir=config.logs)
    stack.launch(part)
    assert part.url is not None
    return part.url


def print_urls(stack: Stack, running: Running) -> None:
    config = running.config
    names = [*running.urls, "mongodb", "redis", "logs"]
    width = max(map(len, names)) + 2
    lines = ["", "stack ready:"]
    notes = {
        "storefront": "  (the shop)",
        "gateway": "  (GraphiQL on GET)",
        "smtp-sink": f"  (mail files in {config.data_dir / 'mail'})",
    }
    notes.update({s.name: f"  {s.url('/health')}  {s.url('/ready')}" for s in running.subgraphs})
    for name, url in running.urls.items():
        lines.append(f"  {name:<{width}}{url}{notes.get(name, '')}")
    lines += [
        f"  {'mongodb':<{width}}{redact(running.mongodb)}",
        f"  {'redis':<{width}}{redact(running.redis)}",
        f"  {'logs':<{width}}{config.logs}/<part>.log",
    ]
    if config.replicas > 1:
        lines.append(f"  {config.replicas} processes per subgraph and worker (REPLICAS)")
    lines.append("Parts that die are restarted. Ctrl-C stops everything.")
    stack.say("\n".join(lines))


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


@contextlib.contextmanager
def locked(config: StackConfig) -> Iterator[StackLock]:
    lock = StackLock(config.data_dir)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def main() -> int:
    """Start the stack, keep it running, stop it; the exit status."""
    try:
        config = StackConfig.from_env()
    except StartupError as exc:
        say(f"FAILED: {exc}")
        return 1
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for sig in handled:
        signal.signal(sig, _raise_stopped)
    stack = Stack()
    status = 0
    try:
        with locked(config) as lock:
            try:
                running = start(stack, config)

                def publish() -> None:
                    lock.write(
                        {
                            "pid": os.getpid(),
                            "state": "running",
                            "urls": running.urls,
                            "parts": stack.pids(),
                        }
                    )

                publish()
                stack.on_change = publish
                print_urls(stack, running)
                stack.watch()
            except Stopped as exc:
                say(f"\n{exc}: stopping")
            except StartupError as exc:
                say(f"FAILED: {exc}")
                status = 1
            except PartDied as exc:
                say(f"GAVE UP: {exc}")
                status = 1
            finally:
                for sig in handled:  # a second Ctrl-C must not cut the shutdown short
                    signal.signal(sig, signal.SIG_IGN)
                stack.stop_all()
    except AlreadyRunning as exc:
        say(str(exc))
        return 1
    except Stopped:
        pass
    say("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
