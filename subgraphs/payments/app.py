"""Composition root of the payments subgraph: settings in, ASGI app out."""

from __future__ import annotations

import asyncio
from functools import partial

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.graphql.auth import TokenVerifier, jwks_verifier
from subgraphs.kernel.messaging.consumer import StreamConsumer
from subgraphs.kernel.messaging.outbox import OutboxRelay
from subgraphs.kernel.process.background import BackgroundTask, every
from subgraphs.kernel.runtime.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.stores.mongo import MongoUnitOfWork
from subgraphs.kernel.stores.resources import MongoResource, RedisResource
from subgraphs.payments.bootstrap import bootstrap
from subgraphs.payments.domain.order_view import ORDER_EVENTS
from subgraphs.payments.provider.sandbox import SandboxProvider
from subgraphs.payments.repository.mongo_order_views import MongoOrderViews
from subgraphs.payments.repository.mongo_payments import MongoPayments
from subgraphs.payments.settings import PaymentsSettings, ProviderSettings
from subgraphs.payments.transport.context import PaymentsContext
from subgraphs.payments.transport.schema import build_schema
from subgraphs.payments.usecase.in_flight import Timing
from subgraphs.payments.usecase.provider_calls import RetryPolicy


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

    relay = OutboxRelay.for_settings(mongo.db, redis.client, "payments", settings.streams)
    uow = MongoUnitOfWork(mongo.db, "payments", after_commit=relay.wake)
    payments = MongoPayments(mongo.db)
    provider = SandboxProvider(mongo.db)
    mongo.on_start(uow.ensure_indexes)
    mongo.on_start(payments.ensure_indexes)
    mongo.on_start(provider.ensure_indexes)

    usecases = bootstrap(
        payments=payments,
        orders=MongoOrderViews(mongo.db),
        provider=provider,
        uow=uow,
        clock=utc_now,
        new_id=new_id,
        sleep=asyncio.sleep,
        timing=Timing(
            retry=retry_policy(settings.provider),
            lease_seconds=settings.lease_seconds,
            wait_seconds=settings.duplicate_wait_seconds,
        ),
    )
    consumer = StreamConsumer.for_settings(
        redis.client,
        settings.streams,
        group="payments",
        producers=["orders"],
        handlers=dict.fromkeys(ORDER_EVENTS, usecases.project_order_event),
    )
    resume = usecases.resume_abandoned
    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=partial(
            PaymentsContext, verifier=verifier or jwks_verifier(settings.auth), usecases=usecases
        ),
        resources=[
            mongo,
            redis,
            relay.task(),
            consumer.task("orders-consumer"),
            BackgroundTask(
                resume.name,
                every(settings.resume_interval_seconds, resume.run_once, name=resume.name),
            ),
        ],
    )
