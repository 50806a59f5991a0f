"""Starting the stack: the stores, the sink, the subgraphs and workers, composition, the gateway.

Every part starts after the previous one is ready. A store or SMTP server the
configuration names is used as it is; otherwise the runner starts its own on
the configured port (and says so when that port is taken).
"""

from __future__ import annotations

import os
import shutil
import sys
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx

from tools import procs, stores
from tools.compose import published_supergraph
from tools.procs import ManagedProcess, StartupError
from tools.stack.config import (
    GATEWAY_PORT,
    ROOT,
    WORKERS,
    StackConfig,
    Subgraph,
    read_subgraphs,
    redact,
)
from tools.stack.parts import (
    gateway_process,
    localstripe_process,
    shared_listener,
    smtp_sink_process,
    subgraph_process,
    worker_process,
)
from tools.stack.supervision import Stack
from tools.storefront_server import BACKOFFICE_DIST, DIST, storefront_process

COMPOSE_TIMEOUT = 120.0


def taken(what: str, port: int, setting: str) -> StartupError:
    return StartupError(
        f"{what}: port {port} is taken by another process (see `ss -ltnp 'sport = :{port}'`); "
        f"stop it, or set {setting}"
    )


def start_mongodb(stack: Stack, config: StackConfig) -> str:
    if uri := config.mongodb_uri:
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
    url = config.redis_url
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
    if host := config.smtp_host:
        stack.say(f"smtp: using SMTP_HOST {host} (no sink)")
        stack.env["SMTP_HOST"] = host
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


# `make up` on stripe without keys of its own: localstripe takes any `sk_` key.
LOCAL_STRIPE_KEYS = {"STRIPE_API_KEY": "sk_test_local", "STRIPE_WEBHOOK_SECRET": "whsec_local"}


def start_localstripe(stack: Stack, config: StackConfig) -> str | None:
    """localstripe's URL when payments run on stripe without an API address of their own."""
    env = {**os.environ, **stack.env}
    if env.get("PAYMENTS_PROVIDER_KIND", "").strip() != "stripe" or env.get("STRIPE_API_BASE"):
        return None
    if not procs.port_free(config.localstripe_port):
        raise taken("localstripe", config.localstripe_port, "STACK_LOCALSTRIPE_PORT")
    part = localstripe_process(config.localstripe_port, log_dir=config.logs)
    stack.launch(part)
    assert part.url is not None
    for name, value in LOCAL_STRIPE_KEYS.items():
        stack.env[name] = env.get(name) or value
    stack.env["STRIPE_API_BASE"] = part.url
    return part.url


def register_stripe_webhook(localstripe: str, gateway_port: int, secret: str) -> None:
    """localstripe sends its events to the gateway's /webhooks/stripe, signed with `secret`."""
    endpoint = f"http://127.0.0.1:{gateway_port}/webhooks/stripe"
    response = httpx.post(
        f"{localstripe}/_config/webhooks/stack", data={"url": endpoint, "secret": secret}
    )
    response.raise_for_status()


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
    """``config.replicas`` processes of ``service`` on ``port`` (not started yet), recorded
    as that service's for a rollout (`Stack.roll`)."""
    env = {**stack.env, "METRICS_MULTIPROCESS_DIR": str(metrics_dir(config, service))}
    if config.replicas == 1:
        parts = [make(name, port, env=env, log_dir=config.logs)]
    else:
        if not procs.port_free(port):
            raise taken(name, port, "STACK_BASE_PORT")
        parts = [
            make(
                name, port, env=env, log_dir=config.logs, replica=i, private_port=procs.free_port()
            )
            for i in range(1, config.replicas + 1)
        ]
    replica_of = {part.name: i for i, part in enumerate(parts, start=1)}

    def successor(part: str) -> ManagedProcess:
        """Another process of the same replica, probed on a private port of its own."""
        return make(
            name,
            port,
            env=env,
            log_dir=config.logs,
            replica=replica_of[part],
            private_port=procs.free_port(),
            append_log=True,
        )

    stack.serve_as(service, parts, successor)
    return parts


def compose(stack: Stack, config: StackConfig, subgraphs: list[Subgraph]) -> Path | None:
    """Compose the supergraph from the published SDLs (router/published/); a path when it is
    not the committed router/supergraph.graphql (another layout: this stack's ports)."""
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
    stack.say("composing the published supergraph for this stack's ports ...")
    path = config.run_dir / "supergraph.graphql"
    urls = {s.name: f"http://127.0.0.1:{s.port}/graphql" for s in subgraphs}
    path.write_text(published_supergraph(urls), encoding="utf-8")
    return path


def start_gateway(stack: Stack, config: StackConfig, supergraph: Path | None, redis: str) -> None:
    """The gateway: one process on its port, or ``config.replicas`` processes accepting on one
    socket the runner binds and holds (`shared_listener`), the first with the configured
    internal port, every other one (a successor too) with a free one."""
    make = partial(gateway_process, config.gateway_port, log_dir=config.logs, supergraph=supergraph)
    if config.replicas == 1:
        part = make(env=stack.env, internal_port=config.gateway_internal_port)
        stack.launch(part)
        stack.serve_as("gateway", [part], _no_successor)
        return
    try:
        listener = shared_listener(config.gateway_port)
    except OSError as exc:
        raise taken("gateway", config.gateway_port, "STACK_BASE_PORT") from exc
    stack.hold_open(listener)
    # Several gateway processes count one budget: the rate limits' counters in Redis.
    env = {**stack.env, "GATEWAY_REDIS_URL": redis}
    parts = [
        make(
            env=env,
            replica=i,
            listener=listener,
            internal_port=config.gateway_internal_port if i == 1 else None,
        )
        for i in range(1, config.replicas + 1)
    ]
    replica_of = {part.name: i for i, part in enumerate(parts, start=1)}

    def successor(name: str) -> ManagedProcess:
        return make(env=env, replica=replica_of[name], listener=listener, append_log=True)

    stack.launch_all(parts)
    stack.serve_as("gateway", parts, successor)


def _no_successor(name: str) -> ManagedProcess:
    raise StartupError(f"{name} runs once: it has no successor")


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
    if config.cors_origins:
        stack.env["CORS_ORIGINS"] = config.cors_origins
    stack.env["MONGODB_URI"] = mongodb = start_mongodb(stack, config)
    stack.env["REDIS_URL"] = redis = start_redis(stack, config, fsync_always=redis_fsync_always)
    smtp_sink = start_smtp_sink(stack, config)
    localstripe = start_localstripe(stack, config)
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
                partial(subgraph_process, internal_port=subgraph.internal_port),
                service=subgraph.name,
            )
        )
    worker_ports = {name: config.shifted(GATEWAY_PORT + offset) for name, offset in WORKERS.items()}
    for name, port in worker_ports.items():
        stack.launch_all(
            service_processes(stack, config, name, port, worker_process, service=f"{name}-worker")
        )
    supergraph = compose(stack, config, subgraphs)
    start_gateway(stack, config, supergraph, redis)
    gateway = f"http://localhost:{config.gateway_port}/graphql"
    urls = {}
    if localstripe is not None:
        register_stripe_webhook(
            localstripe, config.gateway_port, stack.env["STRIPE_WEBHOOK_SECRET"]
        )
        urls["localstripe"] = localstripe
    for app in WEB_APPS:
        url = start_web_app(stack, config, gateway, app)
        if url is not None:
            urls[app.name] = url
    urls["gateway"] = gateway
    urls.update({s.name: s.url("/graphql") for s in subgraphs})
    urls.update({f"{n}-worker": f"http://localhost:{p}/ready" for n, p in worker_ports.items()})
    if smtp_sink:
        urls["smtp-sink"] = smtp_sink
    return Running(config, subgraphs, mongodb, redis, smtp_sink, gateway, urls)


@dataclass(frozen=True)
class WebApp:
    """A built web app the stack serves (tools/storefront_server.py) on a port of its config."""

    name: str
    dist: Path
    port_field: str  # of StackConfig
    port_setting: str  # its environment variable

    def port(self, config: StackConfig) -> int:
        port: int = getattr(config, self.port_field)
        return port


WEB_APPS = (
    WebApp("storefront", DIST, "storefront_port", "STACK_STOREFRONT_PORT"),
    WebApp("backoffice", BACKOFFICE_DIST, "backoffice_port", "STACK_BACKOFFICE_PORT"),
)


def start_web_app(stack: Stack, config: StackConfig, gateway: str, app: WebApp) -> str | None:
    """A built web app on its port (None, with a note, when its `dist/` is missing)."""
    if not (app.dist / "index.html").exists():
        stack.say(f"{app.name}: not built (make {app.name} builds it); skipped")
        return None
    port = app.port(config)
    if not procs.port_free(port):
        raise taken(app.name, port, app.port_setting)
    part = storefront_process(
        port, gateway_url=gateway, log_dir=config.logs, name=app.name, dist=app.dist
    )
    stack.launch(part)
    assert part.url is not None
    return part.url
