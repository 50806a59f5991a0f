"""Tracing with an endpoint: a process exports over OTLP/HTTP and events continue its trace.

The traced code runs in a fresh interpreter (tracing is process-wide and set
up once); its spans arrive at a real OTLP/HTTP receiver in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import redis_db
from tools.otlp_receiver import otlp_receiver

pytestmark = pytest.mark.integration

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

TRACED = """
import asyncio, json, logging, os, sys
from datetime import UTC, datetime
import redis.asyncio as aioredis
from opentelemetry import trace
from pymongo import AsyncMongoClient
from subgraphs.kernel.observability import telemetry
from subgraphs.kernel.core.events import Event
from subgraphs.kernel.observability.logging import configure_logging
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS, in_transaction
from subgraphs.kernel.messaging.outbox import Outbox, OutboxRelay

configure_logging("things")
assert telemetry.setup("things") is True
tracer = trace.get_tracer("test")
log = logging.getLogger("test")

async def job(ctx, n):
    log.info("job ran")
    return n

async def main():
    client = AsyncMongoClient(os.environ["TEST_MONGODB_URI"], tz_aware=True)
    db = client.get_database(os.environ["TEST_DATABASE"], codec_options=CODEC_OPTIONS)
    redis = aioredis.Redis.from_url(os.environ["TEST_REDIS_URL"], decode_responses=True)
    outbox = Outbox(db)
    producer = f"things{os.getpid()}"  # a stream of this run's own
    event = Event.create("things.happened", {}, producer=producer, occurred_at=datetime.now(UTC))
    assert event.traceparent is None  # the outbox stamps it, in the span that writes
    with tracer.start_as_current_span("request"):
        async def work(session):
            await outbox.add([event], session)
        await in_transaction(client, work)
        with tracer.start_as_current_span("kept", kind=trace.SpanKind.CLIENT):
            pass
    # Polling outside any request: a client span without a parent is not recorded.
    with tracer.start_as_current_span("orphan", kind=trace.SpanKind.CLIENT):
        pass
    relay = OutboxRelay(db, redis, producer)
    assert await relay.publish_pending() == 1
    (_, fields), = await redis.xrange(relay.stream)
    await redis.delete(relay.stream)
    received = Event.from_fields(fields)
    with telemetry.handling(received, stream=relay.stream, group="testers"):
        log.info("handling")
        kwargs = telemetry.job_trace()
    traced = telemetry.traced_job("job")(job)
    assert await traced({"job_id": "j1", "job_try": 1}, 7, **kwargs) == 7
    await client.drop_database(db.name)
    await client.close()
    await redis.aclose()

asyncio.run(main())
trace.get_tracer_provider().force_flush()
"""


def test_spans_are_exported_and_an_event_continues_the_trace_that_wrote_it(
    mongo_uri, redis_url, db_prefix
):
    with otlp_receiver() as otlp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        env |= {
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
            "OTEL_SERVICE_NAME": "things-svc",
            "TEST_MONGODB_URI": mongo_uri,
            "TEST_DATABASE": f"{db_prefix}telemetry",
            "TEST_REDIS_URL": redis_db(redis_url, "kernel"),
        }
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(TRACED)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr

        # force_flush returned once the receiver had answered every export.
        by_name = {s.name: s for s in otlp.spans()}

    assert {s.service for s in by_name.values()} == {"things-svc"}  # OTEL_SERVICE_NAME wins
    assert "orphan" not in by_name
    request = by_name["request"]
    assert by_name["kept"].parent_span_id == request.span_id
    for name in ("publish things.happened", "process things.happened"):
        assert by_name[name].trace_id == request.trace_id
        assert by_name[name].parent_span_id == request.span_id
    assert by_name["publish things.happened"].kind == "producer"
    consumer = by_name["process things.happened"]
    assert consumer.kind == "consumer"
    job = by_name["job job"]
    assert (job.trace_id, job.parent_span_id) == (request.trace_id, consumer.span_id)
    assert job.attributes["messaging.message.id"] == "j1"

    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    handling = next(line for line in lines if line["message"] == "handling")
    assert (handling["trace_id"], handling["span_id"]) == (request.trace_id, consumer.span_id)
    ran = next(line for line in lines if line["message"] == "job ran")
    assert (ran["trace_id"], ran["span_id"]) == (request.trace_id, job.span_id)
