"""`python -m tools.stack` (what `make up` runs): the whole local stack.

Starts, in order and each after the previous one is ready: MongoDB
(SecantusDB, unless MONGODB_URI is set), Redis (unless one answers at
REDIS_URL), the SMTP sink (unless SMTP_HOST is set), every subgraph listed
in supergraph.yaml, the workers, supergraph composition, and the gateway
(Hive Gateway). Ctrl-C or SIGTERM stops them all in reverse order. Logs go
to .run/logs/<part>.log; the sink keeps mail in .data/mail.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import yaml

from tools import procs, stores
from tools.procs import ManagedProcess, StartupError

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".run" / "logs"
DATA = ROOT / ".data"

# The gateway: run with cwd=router/. Change the command here and only here.
GATEWAY_PORT = 4000
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
# `python -m workers.<name>` and the port of its /health, /ready and /metrics.
WORKERS = {"notifications": 4014}
COMPOSE_TIMEOUT = 120.0


class Stopped(Exception):
    """Raised by the SIGINT/SIGTERM/SIGHUP handler to unwind to the shutdown."""


class PartDied(Exception):
    """A part exited after it was ready."""


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


def read_subgraphs(config: Path) -> list[Subgraph]:
    """The subgraphs listed in a rover-style supergraph.yaml, in file order."""
    data = yaml.safe_load(config.read_text())
    entries = (data or {}).get("subgraphs") or {}
    return [Subgraph(name, entry["routing_url"]) for name, entry in entries.items()]


def say(text: str) -> None:
    print(text, flush=True)


def redact(url: str) -> str:
    """``url`` without its password, for printing."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


class Stack:
    """The processes started so far, stopped in reverse order."""

    def __init__(self) -> None:
        self.env: dict[str, str] = {}  # exported to every child, over os.environ
        self.parts: list[ManagedProcess] = []

    def launch(self, part: ManagedProcess) -> None:
        """Start ``part`` and wait until it is ready; it is stopped with the rest."""
        say(f"starting {part.name} ...")
        began = time.monotonic()
        self.parts.append(part)
        part.start()
        part.wait_ready()
        say(f"{part.name} ready ({time.monotonic() - began:.1f}s)")

    def run_once(self, part: ManagedProcess, timeout: float) -> None:
        """Run a one-shot ``part`` to completion; raise StartupError if it fails."""
        say(f"running {part.name} ...")
        began = time.monotonic()
        self.parts.append(part)
        part.start()
        try:
            code = part.wait(timeout)
        except TimeoutError as exc:
            raise StartupError(part.report(f"did not finish in {timeout:g}s")) from exc
        self.parts.remove(part)
        if code != 0:
            raise StartupError(part.report(procs.describe_exit(code)))
        say(f"{part.name} done ({time.monotonic() - began:.1f}s)")

    def watch(self) -> None:
        """Block until a part exits (raises PartDied) or a signal arrives."""
        while True:
            for part in self.parts:
                code = part.returncode
                if code is not None:
                    raise PartDied(part.report(procs.describe_exit(code)))
            time.sleep(0.5)

    def stop_all(self) -> None:
        for part in reversed(self.parts):
            if part.alive:
                say(f"stopping {part.name} ...")
            part.stop()
        self.parts.clear()


def start_mongodb(stack: Stack) -> str:
    uri = os.environ.get("MONGODB_URI")
    if uri:
        if not stores.mongo_ping(uri, timeout=5.0):
            raise StartupError(f"mongodb: nothing answers at MONGODB_URI={redact(uri)}")
        say(f"mongodb: using MONGODB_URI {redact(uri)}")
        return uri
    port = MONGO_PORT
    if not procs.port_free(port):
        port = procs.free_port()
        say(f"mongodb: port {MONGO_PORT} is taken, using {port}")
    part = stores.secantusdb(port, DATA / "mongo", LOGS / "mongodb.log")
    stack.launch(part)
    assert part.url is not None
    return part.url


def start_redis(stack: Stack) -> str:
    url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if stores.redis_ping(url):
        say(f"redis: using the one at {redact(url)}")
        return url
    wanted = urllib.parse.urlsplit(url).port or 6379
    port = wanted if procs.port_free(wanted) else procs.free_port()
    if port != wanted:
        say(f"redis: port {wanted} is taken, using {port}")
    db = urllib.parse.urlsplit(url).path.strip("/") or "0"
    part = stores.redis_server(port, LOGS / "redis.log", dir=DATA / "redis", persist=True)
    stack.launch(part)
    return stores.redis_url(port, int(db))


def subgraph_process(name: str, port: int, *, env: dict[str, str], log_dir: Path) -> ManagedProcess:
    """`python -m subgraphs.<name>`, ready when its /ready answers 200 (not started yet)."""
    ready = f"http://127.0.0.1:{port}/ready"
    return ManagedProcess(
        name,
        [sys.executable, "-m", f"subgraphs.{name}"],
        env={**env, f"{name.upper()}_PORT": str(port)},
        cwd=ROOT,
        log_path=log_dir / f"{name}.log",
        ready=lambda: procs.http_ok(ready),
        port=port,
        url=f"http://localhost:{port}/graphql",
    )


def worker_process(name: str, port: int, *, env: dict[str, str], log_dir: Path) -> ManagedProcess:
    """`python -m workers.<name>`, ready when its /ready answers 200 (not started yet)."""
    ready = f"http://127.0.0.1:{port}/ready"
    return ManagedProcess(
        f"{name}-worker",
        [sys.executable, "-m", f"workers.{name}"],
        env={**env, f"{name.upper()}_WORKER_PORT": str(port)},
        cwd=ROOT,
        log_path=log_dir / f"{name}-worker.log",
        ready=lambda: procs.http_ok(ready),
        port=port,
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
    port: int, *, env: dict[str, str], log_dir: Path, supergraph: Path | None = None
) -> ManagedProcess:
    """Hive Gateway on `port` serving `supergraph` (default router/supergraph.graphql)."""
    extra = {"GATEWAY_PORT": str(port), "NO_COLOR": "1"}  # NO_COLOR: a plain-text log file
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


def start_smtp_sink(stack: Stack) -> str | None:
    """The sink's message list URL; None when SMTP_HOST points at a real server."""
    if host := os.environ.get("SMTP_HOST"):
        say(f"smtp: using SMTP_HOST {host} (no sink)")
        return None
    ports = []
    for wanted in (SMTP_SINK_PORT, SMTP_SINK_HTTP_PORT):
        port = wanted if procs.port_free(wanted) else procs.free_port()
        if port != wanted:
            say(f"smtp-sink: port {wanted} is taken, using {port}")
        ports.append(port)
    smtp_port, http_port = ports
    part = smtp_sink_process(smtp_port, http_port, maildir=DATA / "mail", log_dir=LOGS)
    stack.launch(part)
    stack.env.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port)})
    assert part.url is not None
    return part.url


def start_worker(stack: Stack, name: str, port: int) -> None:
    stack.launch(worker_process(name, port, env=stack.env, log_dir=LOGS))


def start_subgraph(stack: Stack, subgraph: Subgraph) -> None:
    stack.launch(subgraph_process(subgraph.name, subgraph.port, env=stack.env, log_dir=LOGS))


def compose(stack: Stack) -> None:
    stack.run_once(
        ManagedProcess(
            "compose",
            [sys.executable, "-m", "tools.compose"],
            env=stack.env,
            cwd=ROOT,
            log_path=LOGS / "compose.log",
            ready=lambda: True,
        ),
        COMPOSE_TIMEOUT,
    )


def start_gateway(stack: Stack) -> None:
    stack.launch(gateway_process(GATEWAY_PORT, env=stack.env, log_dir=LOGS))


def print_urls(subgraphs: list[Subgraph], mongodb: str, redis: str, smtp_sink: str | None) -> None:
    workers = [f"{name}-worker" for name in WORKERS]
    width = max([len("smtp-sink"), *(len(s.name) for s in subgraphs), *map(len, workers)]) + 2
    lines = [
        "",
        "stack ready:",
        f"  {'gateway':<{width}}http://localhost:{GATEWAY_PORT}/graphql  (GraphiQL on GET)",
    ]
    lines += [
        f"  {s.name:<{width}}{s.url('/graphql')}  {s.url('/health')}  {s.url('/ready')}"
        for s in subgraphs
    ]
    lines += [
        f"  {name + '-worker':<{width}}http://localhost:{port}/health  "
        f"http://localhost:{port}/ready"
        for name, port in WORKERS.items()
    ]
    if smtp_sink is not None:
        lines.append(f"  {'smtp-sink':<{width}}{smtp_sink}  (mail files in .data/mail)")
    lines += [
        f"  {'mongodb':<{width}}{redact(mongodb)}",
        f"  {'redis':<{width}}{redact(redis)}",
        f"  {'logs':<{width}}{LOGS.relative_to(ROOT)}/<part>.log",
        "Ctrl-C stops everything.",
    ]
    say("\n".join(lines))


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


def main() -> int:
    """Start the stack, keep it running, stop it; the exit status."""
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for sig in handled:
        signal.signal(sig, _raise_stopped)
    stack = Stack()
    status = 0
    try:
        subgraphs = read_subgraphs(ROOT / "supergraph.yaml")
        stack.env["MONGODB_URI"] = mongodb = start_mongodb(stack)
        stack.env["REDIS_URL"] = redis = start_redis(stack)
        smtp_sink = start_smtp_sink(stack)
        for subgraph in subgraphs:
            start_subgraph(stack, subgraph)
        for name, port in WORKERS.items():
            start_worker(stack, name, port)
        compose(stack)
        start_gateway(stack)
        print_urls(subgraphs, mongodb, redis, smtp_sink)
        stack.watch()
    except Stopped as exc:
        say(f"\n{exc}: stopping")
    except StartupError as exc:
        say(f"FAILED: {exc}")
        status = 1
    except PartDied as exc:
        say(f"DIED: {exc}")
        status = 1
    finally:
        for sig in handled:  # a second Ctrl-C must not cut the shutdown short
            signal.signal(sig, signal.SIG_IGN)
        stack.stop_all()
    say("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
