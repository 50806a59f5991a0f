"""The subgraph app factory: a Strawberry schema in, an ASGI app out.

`/graphql` (HTTP and graphql-transport-ws) goes straight to Strawberry (a
Starlette wrapper would cost 0.1-0.3 ms a request), its body read first and
refused (413) above GRAPHQL_MAX_BODY_BYTES; JSON nested too deeply to parse is
a 400 like any other malformed body (WebSocket messages above the same size
are refused by the server, see serve.py); `/health` (liveness),
`/ready` (every store answers; 503 `draining` once the process was told
to stop, see kernel/process/drain.py) and any extra routes go through Starlette,
whose lifespan opens and closes the resources. `create_service_app` is that
Starlette part alone, for processes without GraphQL (the workers).

`/metrics` and the readiness checks (which name the stores and consumers)
are internal: served only on the internal listener (`internal_port`, see
serve.py); on the public port `/ready` says ready or not, and `/metrics` is 404.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.federation import Schema
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from subgraphs.kernel.core.correlation import correlation_id, new_correlation_id
from subgraphs.kernel.graphql import http
from subgraphs.kernel.observability import gauges
from subgraphs.kernel.observability.metrics import render_all
from subgraphs.kernel.process.drain import DRAIN
from subgraphs.kernel.process.settings import GraphQLSettings, ServiceSettings
from subgraphs.kernel.runtime.serve import internal_ports
from subgraphs.kernel.stores.resources import Resource

log = logging.getLogger(__name__)


class ContextFactory(Protocol):
    """Builds the context of one HTTP request or one WebSocket connection."""

    def __call__(self, *, request: Request | WebSocket) -> Any: ...


class SchemaBuilder(Protocol):
    """A subgraph's `transport.schema.build_schema`."""

    def __call__(
        self, settings: GraphQLSettings | None = None, *, introspection: bool
    ) -> Schema: ...


CORRELATION_HEADER = "x-correlation-id"
READY_TIMEOUT_SECONDS = 2.0


class _GraphQLView(GraphQL):
    """Strawberry's ASGI view with the service's own request context.

    Responses follow GraphQL over HTTP (`subgraphs.kernel.graphql.http`): the media
    type the client prefers, and 400 for a request error when that is
    `application/graphql-response+json`; request errors carry no `data`.
    """

    def __init__(self, schema: Schema, context_factory: ContextFactory, **options: Any) -> None:
        super().__init__(schema, **options)
        self._make_context = context_factory

    async def get_context(self, request: Request | WebSocket, response: Any) -> Any:
        return self._make_context(request=request)

    def decode_json(self, data: str | bytes) -> object:
        # Nesting past the interpreter's recursion limit is malformed input, not a server error:
        # Strawberry answers a JSONDecodeError with 400 (HTTP) or closes the socket (4400).
        try:
            return super().decode_json(data)
        except RecursionError:
            text = data if isinstance(data, str) else data.decode("utf-8", "replace")
            raise json.JSONDecodeError("JSON nested too deeply", text[:64], 0) from None

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        media_type = http.preferred_media_type(request.headers.get("accept"))
        sub_response.media_type = media_type
        request.state.sub_response = sub_response
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if http.is_request_error(result):
            processed.pop("data", None)
            sub_response: Response = request.state.sub_response
            if sub_response.media_type == http.GRAPHQL_RESPONSE_JSON:
                sub_response.status_code = 400
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == http.GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = http.GRAPHQL_RESPONSE_JSON
        return response


class SubgraphApp:
    """The ASGI app of one subgraph process."""

    def __init__(
        self, graphql: GraphQL[Any, Any], starlette: Starlette, max_body_bytes: int
    ) -> None:
        self.graphql = graphql
        self.starlette = starlette
        self.max_body_bytes = max_body_bytes

    def lifespan(self) -> Any:
        """The resources' lifespan, for running the app in-process (tests, benchmarks)."""
        return self.starlette.router.lifespan_context(self.starlette)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] != "/graphql":
            await self.starlette(scope, receive, send)
            return
        if scope["type"] == "http" and not http.is_csrf_safe(
            scope["method"], scope["query_string"], scope["headers"]
        ):
            await _refuse_csrf(send)
            return
        if scope["type"] == "http":
            body = await _read_body(receive, self.max_body_bytes)
            if body is None:
                await _refuse_too_large(send, self.max_body_bytes)
                return
            receive = _replay(body, receive)
        cid = _header(scope, CORRELATION_HEADER) or new_correlation_id()
        token = correlation_id.set(cid)
        try:
            await self.graphql(scope, receive, _with_header(send, CORRELATION_HEADER, cid))
        finally:
            correlation_id.reset(token)


def create_subgraph_app(
    *,
    settings: ServiceSettings,
    build_schema: SchemaBuilder,
    context: ContextFactory,
    resources: Sequence[Resource] = (),
    routes: Sequence[BaseRoute] = (),
) -> SubgraphApp:
    """Assemble a subgraph's ASGI app from its schema, context factory and resources."""
    schema = build_schema(settings.graphql, introspection=settings.introspection_enabled)
    graphql = _GraphQLView(
        schema,
        context,
        graphql_ide="graphiql" if settings.ide_enabled else None,
        allow_queries_via_get=False,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=settings.graphql.max_subscriptions_per_connection,
    )

    starlette = create_service_app(settings=settings, resources=resources, routes=routes)
    return SubgraphApp(graphql, starlette, settings.graphql.max_body_bytes)


def create_service_app(
    *,
    settings: ServiceSettings,
    resources: Sequence[Resource] = (),
    routes: Sequence[BaseRoute] = (),
    internal_only: bool = False,
) -> Starlette:
    """The part every service process shares, GraphQL or not (e.g. a worker).

    `/health` (liveness), `/ready` (every resource answers; critical ones
    decide 200 or 503; the checks on the internal listener only), `/metrics`
    (internal listener only) and `routes`, with a lifespan that starts the
    resources in order and closes them in reverse. `internal_only`: every
    port is internal (a worker, which serves nothing else).
    """
    internal = internal_ports(settings)

    def is_internal(request: Request) -> bool:
        server = request.scope.get("server")
        return internal_only or (server is not None and server[1] in internal)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        started: list[Resource] = []
        try:
            for resource in resources:
                log.info("starting resource", extra={"resource": resource.name})
                await resource.start()
                started.append(resource)
            log.info("ready", extra={"port": settings.port})
            yield
        finally:
            for resource in reversed(started):
                await resource.close()

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        if DRAIN.draining:
            return JSONResponse({"status": "draining"}, status_code=503)
        checks = {r.name: await _check(r) for r in resources}
        ok = all(checks[r.name]["ok"] for r in resources if r.critical)
        degraded = not all(check["ok"] for check in checks.values())
        status = "unavailable" if not ok else "degraded" if degraded else "ready"
        body: dict[str, Any] = {"status": status}
        if is_internal(request):
            body["checks"] = checks
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics(request: Request) -> Response:
        if not is_internal(request):
            return PlainTextResponse("Not Found", status_code=404)
        text = render_all() + await gauges.render()  # counters, then the stores' gauges
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4")

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/ready", ready, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            *routes,
        ],
        lifespan=lifespan,
    )


async def _check(resource: Resource) -> dict[str, Any]:
    """One readiness check; the reason is the error's kind (details go to the log only)."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await resource.ping()
    except TimeoutError:
        return {"ok": False, "error": f"no answer within {READY_TIMEOUT_SECONDS}s"}
    except Exception as exc:  # any failure means not ready; the reason is reported
        log.warning("not ready", extra={"resource": resource.name, "error": repr(exc)})
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


async def _refuse_csrf(send: Send) -> None:
    await _send_json(send, 400, http.csrf_error_body())


async def _refuse_too_large(send: Send, max_bytes: int) -> None:
    await _send_json(send, 413, http.too_large_error_body(max_bytes), close=True)


async def _send_json(send: Send, status: int, body: bytes, *, close: bool = False) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# An oversized body is read (and dropped) up to this much more before the 413, so the client
# sees the answer rather than a reset; past it the connection closes after the answer.
DRAIN_LIMIT_BYTES = 16 * 1024 * 1024


async def _read_body(receive: Receive, max_bytes: int) -> bytes | None:
    """The whole request body, or None (the rest drained) when it is larger than `max_bytes`."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # the client left; the view sees an empty body
        chunk: bytes = message.get("body", b"")
        more = message.get("more_body", False)
        size += len(chunk)
        if size > max_bytes:
            while more and size <= max_bytes + DRAIN_LIMIT_BYTES:
                message = await receive()
                size += len(message.get("body", b""))
                more = message.get("more_body", False) and message["type"] == "http.request"
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands over `body` in one message, then the server's (disconnects)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _header(scope: Scope, name: str) -> str | None:
    raw = name.encode()
    for key, value in scope.get("headers", ()):
        if key == raw:
            decoded: str = value.decode("latin-1")[:128]
            return decoded
    return None


def _with_header(send: Send, name: str, value: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {
                **message,
                "headers": [*message.get("headers", ()), (name.encode(), value.encode())],
            }
        await send(message)

    return wrapped
