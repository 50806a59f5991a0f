"""Composition root of the payments subgraph: settings in, ASGI app out."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.graphql.auth import TokenVerifier
from subgraphs.kernel.process.background import BackgroundTask, every
from subgraphs.kernel.runtime.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.runtime.wiring import ContextStores
from subgraphs.payments.bootstrap import bootstrap
from subgraphs.payments.domain.order_view import ORDER_EVENTS, STOCK_RESERVED
from subgraphs.payments.provider import stripe
from subgraphs.payments.provider.sandbox import SandboxProvider
from subgraphs.payments.repository.mongo_order_views import MongoOrderViews
from subgraphs.payments.repository.mongo_payments import MongoPayments
from subgraphs.payments.repository.mongo_refund_requests import MongoRefundRequests
from subgraphs.payments.settings import PaymentsSettings, ProviderSettings
from subgraphs.payments.transport.context import PaymentsContext
from subgraphs.payments.transport.schema import build_schema
from subgraphs.payments.transport.webhooks import STRIPE_PATH, webhook_route
from subgraphs.payments.usecase.events_read import EVENTS_READ
from subgraphs.payments.usecase.in_flight import Timing
from subgraphs.payments.usecase.ports import PaymentProvider
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
    stores = ContextStores(settings, "payments")  # payments are taken while Redis is down
    payments = MongoPayments(stores.db)
    refund_requests = MongoRefundRequests(stores.db)
    payments.report_stale(settings.stale_after_seconds, utc_now)
    provider: PaymentProvider
    provider_resources: list[stripe.StripeProvider] = []
    if settings.provider.kind == "stripe" and settings.stripe.api_key:
        provider = stripe.StripeProvider.connect(
            settings.stripe.api_key,
            settings.stripe.api_base,
            timeout_seconds=settings.provider.attempt_timeout_seconds,
        )
        provider_resources.append(provider)
        stores.indexed(payments, refund_requests)
    else:
        sandbox = SandboxProvider(stores.db)
        provider = sandbox
        stores.indexed(payments, sandbox, refund_requests)

    usecases = bootstrap(
        payments=payments,
        orders=MongoOrderViews(stores.db),
        refund_requests=refund_requests,
        provider=provider,
        uow=stores.uow,
        clock=utc_now,
        new_id=new_id,
        sleep=asyncio.sleep,
        timing=Timing(
            retry=retry_policy(settings.provider),
            lease_seconds=settings.lease_seconds,
            wait_seconds=settings.duplicate_wait_seconds,
        ),
        refund_window=timedelta(days=settings.refund_request_days),
    )
    consumer = stores.consumer(
        EVENTS_READ,
        handlers={
            **dict.fromkeys(ORDER_EVENTS, usecases.project_order_event),
            STOCK_RESERVED: usecases.project_stock_reserved,
        },
    )
    resume = usecases.resume_abandoned
    routes = []
    if settings.provider.kind == "stripe" and settings.stripe.webhook_secret:
        verify = partial(stripe.parse_event, secret=settings.stripe.webhook_secret)
        routes.append(
            webhook_route(STRIPE_PATH, verify, usecases.apply_provider_event, "stripe-signature")
        )
    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=stores.request_context(PaymentsContext, usecases=usecases, verifier=verifier),
        resources=[
            *stores.resources(),
            *provider_resources,
            consumer.task("events-consumer"),
            BackgroundTask(
                resume.name,
                every(settings.resume_interval_seconds, resume.run_once, name=resume.name),
            ),
        ],
        routes=routes,
    )
