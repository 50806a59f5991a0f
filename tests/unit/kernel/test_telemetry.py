"""Tracing is configured by OTEL_* only; without an endpoint nothing is set up at all."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest

from subgraphs.kernel.core.events import Event
from subgraphs.kernel.observability import telemetry

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "orders", "OTEL_TRACES_SAMPLER": "always_on"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "   "}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
    ],
)
def test_tracing_is_asked_for_by_an_otlp_endpoint_only(environ, expected):
    assert telemetry.configured(environ) is expected


# Runs in a fresh interpreter: what a process imports and registers is the point.
WITHOUT_ENDPOINT = """
import logging, sys
from datetime import UTC, datetime
from opentelemetry import trace
from subgraphs.kernel.observability import telemetry
from subgraphs.kernel.core.events import Event
from subgraphs.kernel.graphql.schema import OperationSpan, schema_extensions
from subgraphs.kernel.observability.logging import JsonFormatter
from subgraphs.kernel.process.settings import GraphQLSettings

assert telemetry.setup("orders") is False
assert not telemetry.enabled()
app = object()
assert telemetry.instrument_app(app) is app
assert OperationSpan not in schema_extensions(GraphQLSettings(), introspection=True)
assert telemetry.current_traceparent() is None and telemetry.current_ids() is None
assert telemetry.job_trace() == {}
event = Event.create("things.happened", {}, producer="things", occurred_at=datetime.now(UTC))
assert event.traceparent is None and "traceparent" not in event.to_fields()
record = logging.LogRecord("x", logging.INFO, "x.py", 1, "hello", None, None)
assert "trace_id" not in JsonFormatter("orders").format(record)
with telemetry.consuming("00-" + "1" * 32 + "-" + "2" * 16 + "-01", "process x") as span:
    assert span is None
with telemetry.handling(event, stream="events.things", group="g") as span:
    assert span is None
with telemetry.publishing([event], stream="events.things"):
    pass
# No SDK was loaded, no provider registered, nothing instrumented.
assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
loaded = [m for m in sys.modules if m.startswith(("opentelemetry.sdk", "opentelemetry.exporter",
                                                    "opentelemetry.instrumentation"))]
assert loaded == [], loaded
print("nothing set up")
"""


def test_without_an_endpoint_no_sdk_is_loaded_and_every_hook_is_a_no_op():
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WITHOUT_ENDPOINT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nothing set up"


def test_the_envelope_carries_traceparent_and_old_entries_parse():
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    event = Event(
        id="e1",
        type="things.happened",
        version=1,
        occurred_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        producer="things",
        correlation_id="c1",
        payload={"n": 1},
        traceparent=traceparent,
    )
    fields = event.to_fields()
    assert fields["traceparent"] == traceparent
    assert Event.from_fields(fields) == event

    old = {k: v for k, v in fields.items() if k != "traceparent"}
    assert Event.from_fields(old).traceparent is None
    assert Event.from_fields({**old, "traceparent": ""}).traceparent is None


@pytest.mark.parametrize(
    "variable", ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"]
)
def test_a_protocol_other_than_http_protobuf_leaves_tracing_off(variable, caplog):
    environ = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", variable: "grpc"}
    assert telemetry.setup("orders", environ) is False
    assert not telemetry.enabled()
    assert "only OTLP over http/protobuf" in caplog.text
