"""Run a service's ASGI app (a subgraph, a worker) under uvicorn, built inside its event loop.

Several processes of one service may share its port (`make up` with
REPLICAS=N): with `SERVE_REUSE_PORT=true` the port is bound with SO_REUSEPORT,
so the kernel spreads new connections over every process listening on it,
and `SERVE_PRIVATE_PORT` adds a listener that only this process answers on
(its supervisor probes `/ready` there, and a test can reach one replica on
purpose). The service's `internal_port` (`/metrics`, `/ready` with its
checks) is shared like the public port. Every listener serves the same app,
which tells them apart by the port a request came in on (`internal_ports`).

SIGTERM (or Ctrl-C) stops the process gracefully (kernel/process/drain.py): it drains for
`SERVE_DRAIN_SECONDS` (readiness 503, every answer `Connection: close`), or
until no connection is left if that comes first, then
closes its listeners and lets the requests in flight finish, up to
`SERVE_STOP_TIMEOUT_SECONDS`; a second signal stops it at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import time
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

import uvicorn
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.types import ASGIApp

from subgraphs.kernel.observability import telemetry
from subgraphs.kernel.observability.logging import configure_logging
from subgraphs.kernel.process.drain import DRAIN, Drain
from subgraphs.kernel.process.settings import ServiceSettings
from subgraphs.kernel.runtime.connection_close import closing_when_draining

S = TypeVar("S", bound=ServiceSettings)

log = logging.getLogger(__name__)

BACKLOG = 2048
DRAIN_POLL_SECONDS = 0.05
ENDING_GRACE_SECONDS = 0.2


class ServeSettings(BaseSettings):
    """How the process listens, beside its service's host and port."""

    model_config = SettingsConfigDict(env_prefix="SERVE_")

    reuse_port: bool = Field(
        default=False,
        description="Bind the port with SO_REUSEPORT, so several processes share it "
        "(`make up` sets it with REPLICAS).",
    )
    private_port: int | None = Field(
        default=None,
        description="A second listener only this process answers on (the runner probes it).",
    )
    # With uvicorn's default of 5 s the gateway now and then sent a request on a connection
    # we were closing ("socket hang up").
    keep_alive_seconds: int = Field(
        default=75,
        description="How long an idle keep-alive connection stays open; keep it above the "
        "gateway's own idle timeout (Node 5 s, Apollo Router 15 s).",
    )
    drain_seconds: float = Field(
        default=2.0,
        ge=0,
        description="After SIGTERM, how long the process keeps serving (readiness 503, every "
        "answer `Connection: close`) before it closes its listeners; less when no connection "
        "is left open.",
    )
    stop_timeout_seconds: int = Field(
        default=6,
        gt=0,
        description="After the drain, how long requests in flight may take to finish before "
        "they are cancelled (the runner kills a process 10 s after SIGTERM).",
    )


class GracefulServer(uvicorn.Server):
    """uvicorn's server that drains on the first SIGTERM/SIGINT before it stops."""

    def __init__(self, config: uvicorn.Config, drain_seconds: float, drain: Drain = DRAIN) -> None:
        super().__init__(config)
        self.drain_seconds = drain_seconds
        self.drain = drain
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drainer: asyncio.Task[None] | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets=sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.drain.draining or self._loop is None or sig not in (signal.SIGTERM, signal.SIGINT):
            super().handle_exit(sig, frame)  # a second signal: stop now
            return
        self.drain.draining = True
        self._loop.call_soon_threadsafe(self._start_draining)

    def _start_draining(self) -> None:
        log.info("draining", extra={"seconds": self.drain_seconds})
        self._drainer = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        """Until every connection is gone (each closes after its next answer) or the drain
        time is up; then uvicorn's own shutdown."""
        deadline = time.monotonic() + self.drain_seconds
        # uvicorn's connection set has no event to wait on: polled.
        while self.server_state.connections and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(DRAIN_POLL_SECONDS)
        log.info("drained; stopping", extra={"open": len(self.server_state.connections)})
        self.drain.end()
        await asyncio.sleep(ENDING_GRACE_SECONDS)  # the subscriptions' last messages go out
        self.should_exit = True


def listen(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A listening TCP socket on ``host:port`` (SO_REUSEPORT when ``reuse_port``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def serve(service: str, settings: S, build_app: Callable[[S], ASGIApp]) -> None:
    """Configure JSON logs (and tracing, if OTEL_* asks) and serve `build_app(settings)`."""
    configure_logging(service, settings.log_level)
    telemetry.setup(service)
    how = ServeSettings()

    async def main() -> None:
        config = uvicorn.Config(
            closing_when_draining(telemetry.instrument_app(build_app(settings))),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            lifespan="on",
            ws="websockets-sansio",
            # Subscription events are a few hundred bytes between the gateway and us on one
            # network: compressing each one cost both ends more CPU than it saved bytes.
            ws_per_message_deflate=False,
            # A larger WebSocket message closes the connection (1009) before it is parsed.
            ws_max_size=settings.graphql.max_body_bytes,
            proxy_headers=False,
            server_header=False,
            backlog=BACKLOG,
            timeout_keep_alive=how.keep_alive_seconds,
            timeout_graceful_shutdown=how.stop_timeout_seconds,
        )
        server = GracefulServer(config, how.drain_seconds)
        sockets = [listen(settings.host, settings.port, reuse_port=how.reuse_port)]
        if settings.internal_port is not None:
            sockets.append(listen(settings.host, settings.internal_port, reuse_port=how.reuse_port))
        if how.private_port is not None:
            sockets.append(listen(settings.host, how.private_port, reuse_port=False))
        await server.serve(sockets=sockets)

    asyncio.run(main())


def internal_ports(settings: ServiceSettings) -> frozenset[int]:
    """The ports whose requests may see `/metrics` and the readiness checks."""
    ports = (settings.internal_port, ServeSettings().private_port)
    return frozenset(port for port in ports if port is not None)
