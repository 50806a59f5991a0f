"""Composition root of the payments subgraph: settings in, ASGI app out."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from subgraphs.kernel.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.auth import TokenVerifier, jwks_verifier
from subgraphs.kernel.background import BackgroundTask, every
from subgraphs.kernel.consumer import StreamConsumer
from subgraphs.kernel.events import stream_of
from subgraphs.kernel.outbox import OutboxRelay
from subgraphs.kernel.resources import MongoResource, RedisResource
from subgraphs.payments.domain.order_view import ORDER_EVENTS
from subgraphs.payments.provider.sandbox import SandboxProvider
from subgraphs.payments.repository.mongo_order_views import MongoOrderViews
from subgraphs.payments.repository.mongo_payments import MongoPayments
from subgraphs.payments.settings import PaymentsSettings, ProviderSettings
from subgraphs.payments.transport.context import PaymentsContext, PaymentsUseCases
from subgraphs.payments.transport.schema import build_schema
from subgraphs.payments.usecase.in_flight import InFlight, Timing
from subgraphs.payments.usecase.process_payment import ProcessPayment
from subgraphs.payments.usecase.project_orders import ProjectOrderEvent, RefundCancelledOrder
from subgraphs.payments.usecase.provider_calls import RetryPolicy
from subgraphs.payments.usecase.read_payments import ReadPayments
from subgraphs.payments.usecase.refund_payment import RefundPayment
from subgraphs.payments.usecase.resume_abandoned import ResumeAbandoned


def utc_now() -> datetime:
    """Now, to the millisecond MongoDB keeps, so a stored payment reads back unchanged."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_id() -> str:
    return str(uuid.uuid4())


def retry_policy(settings: ProviderSettings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.max_attempts,
        first_delay=settings.first_delay_seconds,
        max_delay=settings.max_delay_seconds,
        attempt_timeout=settings.attempt_timeout_seconds,
        deadline=settings.deadline_seconds,
    )


def build_app(settings: PaymentsSettings, *, verifier: TokenVerifier | None = None) -> SubgraphApp:
    """The payments app; `verifier` replaces the JWKS-backed one (in-process tests)."""
    mongo = MongoResource(settings.mongo, settings.database)
    redis = RedisResource(settings.redis, critical=False)  # payments are taken while Redis is down
    streams = settings.streams

    relay = OutboxRelay.for_settings(mongo.db, redis.client, "payments", streams)
    payments = MongoPayments(mongo.db, after_commit=relay.wake)
    orders = MongoOrderViews(mongo.db)
    provider = SandboxProvider(mongo.db)
    mongo.on_start(payments.ensure_indexes)
    mongo.on_start(provider.ensure_indexes)
    mongo.on_start(orders.ensure_indexes)

    timing = Timing(
        retry=retry_policy(settings.provider),
        lease_seconds=settings.lease_seconds,
        wait_seconds=settings.duplicate_wait_seconds,
    )
    in_flight = InFlight(payments, clock=utc_now, sleep=asyncio.sleep, timing=timing)
    refund = RefundPayment(payments, provider, in_flight, clock=utc_now, new_id=new_id)
    compensate = RefundCancelledOrder(payments, orders, refund)
    process = ProcessPayment(
        payments,
        orders,
        provider,
        in_flight,
        clock=utc_now,
        new_id=new_id,
        after_charge=compensate.after_charge,
    )
    project = ProjectOrderEvent(orders, compensate)
    consumer = StreamConsumer(
        redis.client,
        group="payments",
        streams=[stream_of("orders")],
        handlers=dict.fromkeys(ORDER_EVENTS, project),
        max_deliveries=streams.max_deliveries,
        retry_after_ms=streams.retry_after_ms,
    )
    resume = ResumeAbandoned(payments, process, refund, clock=utc_now)
    usecases = PaymentsUseCases(
        process_payment=process, refund_payment=refund, read_payments=ReadPayments(payments)
    )
    verifier = verifier or jwks_verifier(settings.auth)

    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=lambda request: PaymentsContext(
            request=request, verifier=verifier, usecases=usecases
        ),
        resources=[
            mongo,
            redis,
            relay.task(),
            BackgroundTask("orders-consumer", consumer.run),
            BackgroundTask(
                resume.name,
                every(settings.resume_interval_seconds, resume.run_once, name=resume.name),
            ),
        ],
    )
