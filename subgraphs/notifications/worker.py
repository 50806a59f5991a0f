"""Composition root of the notifications worker process: settings in, ASGI app out.

One process runs, in one event loop:
- the bridge: a kernel `StreamConsumer` (group `notifications`) on
  `events.users`, `events.orders` and `events.payments` whose handler
  (`IngestEvent`) records the notifications an event asks for and enqueues
  one arq job per notification (job id `<event id>:<channel>`); the consumer
  acknowledges the entry once the handler returned;
- an arq `Worker` running those jobs (`Deliver`), with retries and backoff;
- the stuck-notification sweep (`RequeueStuck`, every
  `NOTIFICATIONS_JOBS_SWEEP_INTERVAL_SECONDS`): a notification QUEUED for
  longer than a job can last without a job in arq gets a new one;
- `/health`, `/ready` (Redis, the bridge, the arq worker's health-check key)
  and `/metrics` on `NOTIFICATIONS_WORKER_PORT` (4014).
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.applications import Starlette

from subgraphs.kernel.app import create_service_app
from subgraphs.kernel.background import BackgroundTask, every
from subgraphs.kernel.consumer import StreamConsumer
from subgraphs.kernel.events import stream_of
from subgraphs.kernel.metrics import Counter
from subgraphs.kernel.resources import RedisResource
from subgraphs.notifications.channels.local_sms import RecordingSmsChannel
from subgraphs.notifications.channels.smtp_email import SmtpEmailChannel
from subgraphs.notifications.domain.notification import Channel, Notification
from subgraphs.notifications.jobs.arq_worker import ArqWorkerResource
from subgraphs.notifications.repository.arq_queue import DELIVER_JOB, ArqDeliveryQueue, arq_client
from subgraphs.notifications.repository.redis_notifications import RedisNotificationStore
from subgraphs.notifications.repository.redis_profiles import (
    RedisContacts,
    RedisOrderSummaries,
    RedisPreferences,
)
from subgraphs.notifications.settings import NotificationsWorkerSettings
from subgraphs.notifications.usecase.deliver import Deliver
from subgraphs.notifications.usecase.ingest_event import IngestEvent
from subgraphs.notifications.usecase.ports import DeliveryPolicy
from subgraphs.notifications.usecase.requeue_stuck import RequeueStuck

GROUP = "notifications"
PRODUCERS = ("users", "orders", "payments")

DELIVERIES = Counter(
    "notifications_deliveries_total",
    "Delivery outcomes (sent, retried, failed), by channel, kind and outcome.",
)
SKIPPED = Counter(
    "notifications_skipped_total",
    "Notifications not queued (preference_off, no_phone, stale_event), by reason and channel.",
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _observe(notification: Notification, outcome: str) -> None:
    DELIVERIES.inc(
        channel=notification.channel.value, kind=notification.kind.value, outcome=outcome
    )


def _skipped(reason: str, channel: Channel | None) -> None:
    SKIPPED.inc(reason=reason, channel=channel.value if channel else "")


def build_worker_app(settings: NotificationsWorkerSettings) -> Starlette:
    redis = RedisResource(settings.redis)
    store_settings, jobs = settings.store, settings.jobs
    arq = arq_client(settings.redis.url, jobs.queue_name)

    store = RedisNotificationStore(
        redis.client,
        retention=store_settings.retention,
        max_per_user=store_settings.max_per_user,
        sent_key_ttl=store_settings.sent_key_ttl,
    )
    contacts = RedisContacts(redis.client)
    deliver = Deliver(
        store=store,
        contacts=contacts,
        channels={
            Channel.EMAIL: SmtpEmailChannel(settings.smtp),
            Channel.SMS: RecordingSmsChannel(redis.client, keep=settings.sms.local_keep),
        },
        clock=utc_now,
        policy=DeliveryPolicy(
            send_timeout_seconds=jobs.send_timeout_seconds,
            attempt_timeout_seconds=jobs.job_timeout_seconds,
            max_attempts=jobs.max_attempts,
            first_delay_seconds=jobs.first_retry_seconds,
            max_delay_seconds=jobs.max_retry_seconds,
        ),
        observe=_observe,
    )
    queue = ArqDeliveryQueue(arq)
    ingest = IngestEvent(
        store=store,
        preferences=RedisPreferences(redis.client),
        contacts=contacts,
        orders=RedisOrderSummaries(redis.client, ttl=store_settings.order_summary_ttl),
        queue=queue,
        clock=utc_now,
        max_event_age=store_settings.max_event_age,
        on_skipped=_skipped,
    )
    bridge = StreamConsumer(
        redis.client,
        group=GROUP,
        streams=[stream_of(producer) for producer in PRODUCERS],
        handlers=dict.fromkeys(IngestEvent.TYPES, ingest),
        max_deliveries=settings.streams.max_deliveries,
        retry_after_ms=settings.streams.retry_after_ms,
    )
    worker = ArqWorkerResource(
        arq,
        deliver,
        job_name=DELIVER_JOB,
        queue_name=jobs.queue_name,
        max_attempts=jobs.max_attempts,
        job_timeout=jobs.job_timeout_seconds,
        in_progress_grace=jobs.in_progress_grace_seconds,
        max_jobs=jobs.max_jobs,
        poll_delay=jobs.poll_delay_seconds,
        keep_result=jobs.keep_result_seconds,
        health_check_interval=jobs.health_check_seconds,
        shutdown_grace=jobs.shutdown_grace_seconds,
    )
    requeue = RequeueStuck(
        store=store,
        queue=queue,
        clock=utc_now,
        stuck_after=jobs.stuck_after,
        max_attempts=jobs.max_attempts,
    )
    return create_service_app(
        settings=settings,
        # Closed in reverse: the bridge and the sweep stop enqueuing before the worker stops.
        resources=[
            redis,
            worker,
            BackgroundTask("stream-bridge", bridge.run, critical=True),
            BackgroundTask(
                "stuck-sweep", every(jobs.sweep_interval_seconds, requeue, name="stuck-sweep")
            ),
        ],
    )
