"""The processes of the stack, described but not started: subgraphs, workers, sink, gateway.

Each is a `ManagedProcess` that is ready when its health endpoint answers; the
tests start the same processes (tests/e2e/conftest.py), so they run what
`make up` runs.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from tools import procs
from tools.procs import ManagedProcess
from tools.stack.config import ROOT

# The gateway: run with cwd=router/. Change the command here and only here.
GATEWAY_ARGV = [
    "node_modules/.bin/hive-gateway",
    "supergraph",
    "--config-path",
    "gateway.config.ts",
]


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
    internal_port: int | None = None,
    append_log: bool = False,
) -> ManagedProcess:
    """`python -m subgraphs.<name>`, ready when its /ready answers 200 (not started yet).

    With ``replica`` and ``private_port`` it is one of several processes on
    ``port``, probed on its own ``private_port``. ``internal_port``: its
    internal listener (/metrics, readiness checks), none when not given.
    """
    label = name if replica is None else f"{name}-{replica}"
    ports = {f"{name.upper()}_PORT": str(port)}
    if internal_port is not None:
        ports[f"{name.upper()}_INTERNAL_PORT"] = str(internal_port)
    return _python_service(
        label,
        f"subgraphs.{name}",
        ports,
        env=env,
        log_dir=log_dir,
        private_port=private_port,
        url=f"http://localhost:{port}/graphql",
        port=port,
        append_log=append_log,
    )


def worker_process(
    name: str,
    port: int,
    *,
    env: dict[str, str],
    log_dir: Path,
    replica: int | None = None,
    private_port: int | None = None,
    append_log: bool = False,
) -> ManagedProcess:
    """`python -m workers.<name>`, ready when its /ready answers 200 (not started yet)."""
    label = f"{name}-worker" if replica is None else f"{name}-worker-{replica}"
    return _python_service(
        label,
        f"workers.{name}",
        {f"{name.upper()}_WORKER_PORT": str(port)},
        env=env,
        log_dir=log_dir,
        private_port=private_port,
        url=f"http://localhost:{port}/ready",
        port=port,
        append_log=append_log,
    )


def _python_service(
    label: str,
    module: str,
    extra: dict[str, str],
    *,
    env: dict[str, str],
    log_dir: Path,
    private_port: int | None,
    url: str,
    port: int,
    append_log: bool = False,
) -> ManagedProcess:
    """`python -m <module>` on `port`, ready when /ready answers 200 on its own private port
    (one replica of several) or on `port`; ``append_log``: a successor writes on in the log
    of the process it replaces."""
    if private_port is not None:
        extra = {**extra, **replica_env(private_port)}
    probe_port = private_port or port
    ready = f"http://127.0.0.1:{probe_port}/ready"
    return ManagedProcess(
        label,
        [sys.executable, "-m", module],
        env={**env, **extra},
        cwd=ROOT,
        log_path=log_dir / f"{label}.log",
        ready=lambda: procs.http_ok(ready),
        port=probe_port,
        url=url,
        append_log=append_log,
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


def twilio_api_process(
    port: int, *, account_sid: str, auth_token: str, log_dir: Path
) -> ManagedProcess:
    """The local Twilio Messages API (tools/twilio_api.py, tests only), ready when its /health
    answers (not started yet)."""
    ready = f"http://127.0.0.1:{port}/health"
    argv = [
        sys.executable, "-m", "tools.twilio_api",
        "--port", str(port),
        "--account-sid", account_sid,
        "--auth-token", auth_token,
    ]  # fmt: skip
    return ManagedProcess(
        "twilio-api",
        argv,
        cwd=ROOT,
        log_path=log_dir / "twilio-api.log",
        ready=lambda: procs.http_ok(ready),
        port=port,
        url=f"http://localhost:{port}/messages",
    )


def localstripe_process(port: int, *, log_dir: Path, store: Path | None = None) -> ManagedProcess:
    """localstripe (tools/localstripe_server.py), a fake Stripe API, ready when it answers.

    Its state stays in memory, or in `store` when given (never in /tmp).
    """
    argv = [sys.executable, "-m", "tools.localstripe_server", "--port", str(port)]
    if store is not None:
        argv += ["--store", str(store)]
    return ManagedProcess(
        "localstripe",
        argv,
        cwd=ROOT,
        log_path=log_dir / "localstripe.log",
        ready=lambda: procs.tcp_open("127.0.0.1", port),
        port=port,
        url=f"http://127.0.0.1:{port}",
    )


def gateway_process(
    port: int,
    *,
    env: dict[str, str],
    log_dir: Path,
    supergraph: Path | None = None,
    internal_port: int | None = None,
    replica: int | None = None,
    listener: socket.socket | None = None,
    append_log: bool = False,
) -> ManagedProcess:
    """Hive Gateway on `port` serving `supergraph` (default router/supergraph.graphql).

    Its internal listener (/metrics, detailed health) is on `internal_port`, a free port
    when not given. With ``listener`` (the socket bound to `port`, see `shared_listener`) it is
    one of several processes accepting on it, inherited as GATEWAY_LISTEN_FD
    (router/edge/drain.ts), and is probed on its own internal listener's /ready.
    """
    label = "gateway" if replica is None else f"gateway-{replica}"
    internal_port = internal_port or procs.free_port()
    extra = {"GATEWAY_PORT": str(port), "NO_COLOR": "1"}  # NO_COLOR: a plain-text log file
    extra["GATEWAY_INTERNAL_PORT"] = str(internal_port)
    if supergraph is not None:
        extra["SUPERGRAPH_PATH"] = str(supergraph)
    fds: tuple[int, ...] = ()
    if listener is None:
        ready = f"http://127.0.0.1:{port}/readiness"
        probe_port = port
    else:
        fds = (listener.fileno(),)
        extra["GATEWAY_LISTEN_FD"] = str(listener.fileno())
        ready = f"http://127.0.0.1:{internal_port}/ready"
        probe_port = internal_port
    return ManagedProcess(
        label,
        GATEWAY_ARGV,
        env={**env, **extra},
        cwd=ROOT / "router",
        log_path=log_dir / f"{label}.log",
        ready=lambda: procs.http_ok(ready),
        ready_timeout=60.0,
        port=probe_port,
        url=f"http://localhost:{port}/graphql",
        append_log=append_log,
        pass_fds=fds,
    )


def shared_listener(port: int) -> socket.socket:
    """A TCP socket listening on `port` (every address): the runner holds it and passes it to
    every gateway process, each accepting on it (Node 20 has no SO_REUSEPORT). OSError when
    the port is taken."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("0.0.0.0", port))  # noqa: S104 - the gateway's own default (GATEWAY_HOST)
        listener.listen(socket.SOMAXCONN)
    except OSError:
        listener.close()
        raise
    return listener
