"""OpenTelemetry tracing, configured only by the standard `OTEL_*` environment variables.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
is set: then no SDK is set up, nothing is instrumented and every hook below
costs one check of a module global. With an endpoint, `setup` (called by
`serve` before the app is built) installs:

- a tracer provider exporting over OTLP/HTTP (protobuf) in batches; the
  exporter, the batch processor, the sampler (`OTEL_TRACES_SAMPLER`,
  default `parentbased_always_on`) and the resource (`OTEL_SERVICE_NAME`,
  `OTEL_RESOURCE_ATTRIBUTES`) read their own variables;
- W3C `traceparent` propagation: a request continues its caller's trace;
- spans per ASGI request (`instrument_app`; `/health`, `/ready` and
  `/metrics` excluded), per GraphQL operation (`graphql_operation`), per
  MongoDB command, Redis command and outgoing httpx request;
- for events: the envelope carries the `traceparent` of the span that
  wrote it to the outbox (`current_traceparent`, stamped by `kernel.messaging.outbox`);
  the relay's publish (`publishing`),
  each consumer's handling (`handling`) and the jobs enqueued from there
  (`job_trace`, `traced_job`) continue that trace.

Client spans with no parent (the relay's and the consumers' polling of
MongoDB and Redis, arq's queue polls) are not recorded: each would be a
trace of its own every few hundred milliseconds.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.sampling import Sampler, SamplingResult
    from opentelemetry.util.types import Attributes

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
SUPPORTED_PROTOCOL = "http/protobuf"
EXCLUDED_URLS = "/health,/ready,/metrics"
TRACEPARENT = "traceparent"

_W3C = TraceContextTextMapPropagator()
# The process's tracer once `setup` ran with an endpoint; None means tracing is off.
_tracer: Tracer | None = None


def configured(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the environment asks for traces: an OTLP endpoint, SDK not disabled."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    return any(environ.get(name, "").strip() for name in ENDPOINT_VARIABLES)


def enabled() -> bool:
    return _tracer is not None


def setup(service: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Set tracing up for this process if the environment asks for it; True if it did.

    `service` is the service name unless `OTEL_SERVICE_NAME` gives one.
    """
    global _tracer
    if _tracer is not None or not configured(environ):
        return _tracer is not None
    protocol = (
        environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
        or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
        or SUPPORTED_PROTOCOL
    ).strip()
    if protocol != SUPPORTED_PROTOCOL:
        log.error(
            "tracing stays off: only OTLP over http/protobuf is supported",
            extra={"protocol": protocol},
        )
        return False

    # Imported here: a process without an endpoint never loads the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # Explicit attributes win over OTEL_SERVICE_NAME in Resource.create: pass ours only
    # as the default.
    named = bool(environ.get("OTEL_SERVICE_NAME", "").strip())
    provider = TracerProvider(resource=Resource.create({} if named else {SERVICE_NAME: service}))
    provider.sampler = _no_orphan_client_spans(provider.sampler)  # from OTEL_TRACES_SAMPLER
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    PymongoInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    _tracer = provider.get_tracer("subgraphs.kernel")
    log.info(
        "tracing on",
        extra={"sampler": provider.sampler.get_description(), "protocol": protocol},
    )
    return True


def instrument_app(app: Any) -> Any:
    """The ASGI `app` with a server span per HTTP request or WebSocket (when tracing is on)."""
    if _tracer is None:
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(
        app, excluded_urls=EXCLUDED_URLS, exclude_spans=["receive", "send"]
    )


@contextlib.contextmanager
def graphql_operation(describe: Callable[[], tuple[str | None, str | None]]) -> Iterator[None]:
    """A span around one GraphQL operation, current while it runs (when tracing is on).

    `describe()`, called at the end, gives the operation's (type, name): the
    span is named `<type> <name>` with the semantic conventions' attributes
    `graphql.operation.type` and `graphql.operation.name`. The document
    itself is not recorded.
    """
    if _tracer is None:
        yield
        return
    with _tracer.start_as_current_span("graphql operation") as span:
        yield
        kind, name = describe()
        if kind:
            span.set_attribute("graphql.operation.type", kind)
        if name:
            span.set_attribute("graphql.operation.name", name)
        span.update_name(" ".join(part for part in (kind, name) if part) or "graphql")


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, or None (no span, or tracing off)."""
    if _tracer is None:
        return None
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier.get(TRACEPARENT)


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) in hex of the current span, for log lines; None outside spans."""
    if _tracer is None:
        return None
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return format(span_context.trace_id, "032x"), format(span_context.span_id, "016x")


def _parent(traceparent: str | None) -> otel_context.Context | None:
    if not traceparent:
        return None
    return _W3C.extract({TRACEPARENT: traceparent})


@contextlib.contextmanager
def consuming(
    traceparent: str | None, name: str, attributes: Attributes = None
) -> Iterator[Span | None]:
    """A CONSUMER span, current inside the block, whose parent is `traceparent`'s span.

    Without a `traceparent` (an old entry) the span starts a trace of its own.
    """
    if _tracer is None:
        yield None
        return
    with _tracer.start_as_current_span(
        name, context=_parent(traceparent), kind=SpanKind.CONSUMER, attributes=attributes
    ) as span:
        yield span


class Message(Protocol):
    """What a span needs of an event (`kernel.core.events.Event` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def traceparent(self) -> str | None: ...


def _message_attributes(
    message: Message, operation: str, stream: str, group: str | None = None
) -> dict[str, str]:
    attributes = {
        "messaging.system": "redis",
        "messaging.operation.type": operation,
        "messaging.destination.name": stream,
        "messaging.message.id": message.id,
        "event.type": message.type,
    }
    if group is not None:
        attributes["messaging.consumer.group.name"] = group
    return attributes


def handling(
    message: Message, *, stream: str, group: str
) -> contextlib.AbstractContextManager[Any]:
    """`process <type>`: a consumer group's handling of an event, in the event's trace."""
    if _tracer is None:
        return contextlib.nullcontext()
    attributes = _message_attributes(message, "process", stream, group)
    return consuming(message.traceparent, f"process {message.type}", attributes)


@contextlib.contextmanager
def publishing(messages: Sequence[Message], *, stream: str) -> Iterator[None]:
    """`publish <type>` spans, one per event, each a child of the span that wrote it.

    For a batch published at once (one Redis round trip for events of many
    traces): the spans cover the block and end with it, failed if it raised.
    """
    if _tracer is None:
        yield
        return
    spans = [
        _tracer.start_span(
            f"publish {message.type}",
            context=_parent(message.traceparent),
            kind=SpanKind.PRODUCER,
            attributes=_message_attributes(message, "send", stream),
        )
        for message in messages
    ]
    try:
        yield
    except BaseException as exc:
        for span in spans:
            span.record_exception(exc)
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        for span in spans:
            span.end()


def job_trace() -> dict[str, Any]:
    """Keyword arguments that carry the current trace into a job (`traced_job` reads them)."""
    traceparent = current_traceparent()
    return {TRACEPARENT: traceparent} if traceparent else {}


def traced_job(
    name: str,
) -> Callable[[Callable[..., Coroutine[Any, Any, R]]], Callable[..., Coroutine[Any, Any, R]]]:
    """Decorate an arq job: it runs in a CONSUMER span continuing its enqueuer's trace.

    The wrapped job takes the extra keyword `traceparent` (given by
    `job_trace()` at enqueue time, absent in jobs enqueued without it).
    """

    def decorate(
        job: Callable[..., Coroutine[Any, Any, R]],
    ) -> Callable[..., Coroutine[Any, Any, R]]:
        @functools.wraps(job)
        async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> R:
            traceparent = kwargs.pop(TRACEPARENT, None)
            if _tracer is None:
                return await job(ctx, *args, **kwargs)
            attributes: dict[str, str | int] = {
                "messaging.system": "arq",
                "messaging.operation.type": "process",
                "messaging.message.id": str(ctx.get("job_id", "")),
                "arq.job_try": int(ctx.get("job_try", 0)),
            }
            with consuming(traceparent, f"job {name}", attributes):
                return await job(ctx, *args, **kwargs)

        return run

    return decorate


def traced(
    name: str, *, client: bool = False, attributes: Attributes = None
) -> Callable[[Callable[P, Coroutine[Any, Any, R]]], Callable[P, Coroutine[Any, Any, R]]]:
    """Decorate a coroutine function: each call runs in a span `name` (when tracing is on).

    `client`: the call talks to another service (a CLIENT span, e.g. an SMTP send).
    """
    kind = SpanKind.CLIENT if client else SpanKind.INTERNAL

    def decorate(
        function: Callable[P, Coroutine[Any, Any, R]],
    ) -> Callable[P, Coroutine[Any, Any, R]]:
        @functools.wraps(function)
        async def call(*args: P.args, **kwargs: P.kwargs) -> R:
            if _tracer is None:
                return await function(*args, **kwargs)
            with _tracer.start_as_current_span(name, kind=kind, attributes=attributes):
                return await function(*args, **kwargs)

        return call

    return decorate


def _no_orphan_client_spans(inner: Sampler) -> Sampler:
    """The configured sampler, except that a CLIENT span without a parent is dropped."""
    from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult

    class NoOrphanClientSpans(Sampler):
        def should_sample(
            self,
            parent_context: otel_context.Context | None,
            trace_id: int,
            name: str,
            kind: SpanKind | None = None,
            attributes: Attributes = None,
            links: Sequence[trace.Link] | None = None,
            trace_state: trace.TraceState | None = None,
        ) -> SamplingResult:
            if kind is SpanKind.CLIENT:
                parent = trace.get_current_span(parent_context).get_span_context()
                if not parent.is_valid:
                    return SamplingResult(Decision.DROP)
            return inner.should_sample(
                parent_context, trace_id, name, kind, attributes, links, trace_state
            )

        def get_description(self) -> str:
            return f"NoOrphanClientSpans{{{inner.get_description()}}}"

    return NoOrphanClientSpans()
