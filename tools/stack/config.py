"""Where the stack runs: make up's fixed ports and folders, or a free layout (tests, chaos).

The configuration also says which stores to use: a MongoDB, Redis or SMTP
server given here is used as it is; otherwise the runner starts its own.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools import procs, stores
from tools.procs import StartupError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".data"

GATEWAY_PORT = 4000
STOREFRONT_PORT = 3000  # the gateway's development CORS default allows this origin
BACKOFFICE_PORT = 3001  # and this one
MONGO_PORT = 27017
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
SMTP_SINK_PORT = 1025  # SMTP; the worker's SMTP_PORT default
SMTP_SINK_HTTP_PORT = 8025  # lists the messages
LOCALSTRIPE_PORT = 8420  # localstripe's own default; started when payments run on stripe
# `python -m workers.<name>` and the offset of its /health, /ready and /metrics port.
WORKERS = {"notifications": 14}
# The gateway's internal listener (/metrics, detailed health): GATEWAY_INTERNAL_PORT.
GATEWAY_INTERNAL_OFFSET = 10
# A subgraph's internal listener (/metrics, readiness checks: <NAME>_INTERNAL_PORT) is its
# port + this: users 4021, orders 4022, payments 4023, notifications 4024, catalog 4025.
SUBGRAPH_INTERNAL_OFFSET = 20
SUBGRAPH_OFFSETS = (1, 2, 3, 4, 5)
# The offsets from the gateway's port of every subgraph (supergraph.yaml) and its internal
# listener, the gateway's internal listener and the worker.
SERVICE_OFFSETS = (
    0,
    *SUBGRAPH_OFFSETS,
    *(offset + SUBGRAPH_INTERNAL_OFFSET for offset in SUBGRAPH_OFFSETS),
    GATEWAY_INTERNAL_OFFSET,
    *WORKERS.values(),
)


@dataclass(frozen=True)
class StackConfig:
    """Where the stack runs: ports and folders (defaults: `make up`'s fixed ones)."""

    base_port: int = GATEWAY_PORT
    mongo_port: int = MONGO_PORT
    smtp_port: int = SMTP_SINK_PORT
    smtp_http_port: int = SMTP_SINK_HTTP_PORT
    localstripe_port: int = LOCALSTRIPE_PORT
    storefront_port: int = STOREFRONT_PORT
    backoffice_port: int = BACKOFFICE_PORT
    data_dir: Path = DATA
    run_dir: Path = ROOT / ".run"
    replicas: int = 1
    mongodb_uri: str = ""  # a MongoDB that runs already; empty: start SecantusDB
    redis_url: str = DEFAULT_REDIS_URL  # used when a Redis answers there, else started there
    smtp_host: str = ""  # a real SMTP server; empty: start the sink on smtp_port
    cors_origins: str = ""  # the gateway's CORS_ORIGINS; empty: the gateway's own default

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
            localstripe_port=number("STACK_LOCALSTRIPE_PORT", LOCALSTRIPE_PORT),
            storefront_port=number("STACK_STOREFRONT_PORT", STOREFRONT_PORT),
            backoffice_port=number("STACK_BACKOFFICE_PORT", BACKOFFICE_PORT),
            data_dir=folder("STACK_DATA_DIR", DATA),
            run_dir=folder("STACK_RUN_DIR", ROOT / ".run"),
            replicas=number("REPLICAS", 1),
            mongodb_uri=env.get("MONGODB_URI", "").strip(),
            redis_url=env.get("REDIS_URL", "").strip() or DEFAULT_REDIS_URL,
            smtp_host=env.get("SMTP_HOST", "").strip(),
            cors_origins=env.get("CORS_ORIGINS", "").strip(),
        )

    def environ(self) -> dict[str, str]:
        """The settings `python -m tools.stack` reads back as this configuration."""
        return {
            "STACK_BASE_PORT": str(self.base_port),
            "STACK_MONGO_PORT": str(self.mongo_port),
            "STACK_SMTP_PORT": str(self.smtp_port),
            "STACK_SMTP_HTTP_PORT": str(self.smtp_http_port),
            "STACK_LOCALSTRIPE_PORT": str(self.localstripe_port),
            "STACK_STOREFRONT_PORT": str(self.storefront_port),
            "STACK_BACKOFFICE_PORT": str(self.backoffice_port),
            "STACK_DATA_DIR": str(self.data_dir),
            "STACK_RUN_DIR": str(self.run_dir),
            "REPLICAS": str(self.replicas),
            "MONGODB_URI": self.mongodb_uri,
            "REDIS_URL": self.redis_url,
            "SMTP_HOST": self.smtp_host,
            "CORS_ORIGINS": self.cors_origins,
        }

    @property
    def logs(self) -> Path:
        return self.run_dir / "logs"

    @property
    def gateway_port(self) -> int:
        return self.base_port

    @property
    def gateway_internal_port(self) -> int:
        """The gateway's internal listener (/metrics, detailed health), on 127.0.0.1."""
        return self.base_port + GATEWAY_INTERNAL_OFFSET

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

    @property
    def internal_port(self) -> int:
        """Its internal listener: /metrics and the readiness checks."""
        return self.port + SUBGRAPH_INTERNAL_OFFSET

    def internal_url(self, path: str) -> str:
        return f"http://localhost:{self.internal_port}{path}"


def read_subgraphs(config: Path, base_port: int = GATEWAY_PORT) -> list[Subgraph]:
    """The subgraphs listed in a rover-style supergraph.yaml, in file order.

    Their ports are moved by ``base_port - 4000`` (the default layout is 4001-4005).
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


HOSTS = ("localhost", "127.0.0.1")


def free_layout(data_dir: Path, run_dir: Path, *, replicas: int = 1) -> StackConfig:
    """A whole stack on free ports with stores of its own (tests, chaos, bench): never make up's."""
    storefront = procs.free_port()
    backoffice = procs.free_port()
    origins = [f"http://{host}:{port}" for port in (storefront, backoffice) for host in HOSTS]
    return StackConfig(
        base_port=procs.free_port_block(SERVICE_OFFSETS),
        mongo_port=procs.free_port(),
        smtp_port=procs.free_port(),
        smtp_http_port=procs.free_port(),
        localstripe_port=procs.free_port(),
        storefront_port=storefront,
        backoffice_port=backoffice,
        data_dir=data_dir,
        run_dir=run_dir,
        replicas=replicas,
        redis_url=stores.redis_url(procs.free_port()),
        # The gateway lets the web apps' origins call it, as on make up's ports.
        cors_origins=",".join(origins),
    )


def redact(url: str) -> str:
    """``url`` without its password, for printing."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
