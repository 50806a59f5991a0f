"""Composition root of the notifications worker process: settings in, ASGI app out.

One process runs, in one event loop:
- the bridge: a kernel `StreamConsumer` (group `notifications`) on
  `events.users`, `events.orders` and `events.payments`. Each event goes to
  its handlers in order: the projections first (contacts from the users
  events, order totals from `orders.created`), then `IngestEvent`, which
  records the notifications the event asks for and enqueues one job each;
  the entry is acknowledged once they all returned;
- an arq worker running those jobs (`Deliver`, one attempt a run), woken
  as soon as the bridge queued a job;
- the sweep (`RequeueStuck`): a QUEUED notification whose job arq dropped
  gets one again;
- the channels: email over kept SMTP connections, SMS recorded in Redis or
  sent through Twilio (`SMS_PROVIDER`); their connections close after the
  arq worker stopped;
- `/health`, `/ready` (Redis, the bridge, the arq worker) and `/metrics`
  on `NOTIFICATIONS_WORKER_PORT` (4014).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.events import Event
from subgraphs.kernel.messaging.consumer import Handler, StreamConsumer
from subgraphs.kernel.observability.metrics import Counter
from subgraphs.kernel.process.background import BackgroundTask, every
from subgraphs.kernel.runtime.app import create_service_app
from subgraphs.kernel.stores.resources import RedisResource, Resource
from subgraphs.notifications.bootstrap import Delivery, bootstrap
from subgraphs.notifications.channels.local_sms import RecordingSmsChannel
from subgraphs.notifications.channels.smtp_email import SmtpEmailChannel
from subgraphs.notifications.domain.notification import Channel, Notification
from subgraphs.notifications.jobs.arq_queue import ArqDeliveryQueue, arq_client
from subgraphs.notifications.jobs.arq_worker import ArqWorkerResource
from subgraphs.notifications.repository.redis_ports import redis_ports
from subgraphs.notifications.settings import NotificationsWorkerSettings
from subgraphs.notifications.usecase import WorkerUseCases
from subgraphs.notifications.usecase.events_read import EVENTS_READ
from subgraphs.notifications.usecase.ports import ChannelSender, DeliveryPolicy

DELIVERIES = Counter(
    "notifications_deliveries_total",
    "Delivery outcomes (sent, retried, failed), by channel, kind and outcome.",
)
SKIPPED = Counter(
    "notifications_skipped_total",
    "Notifications not queued (preference_off, no_phone, stale_event, expired), by reason"
    " and channel.",
)


def _observe(notification: Notification, outcome: str) -> None:
    DELIVERIES.inc(
        channel=notification.channel.value, kind=notification.kind.value, outcome=outcome
    )


def _skipped(reason: str, channel: Channel | None) -> None:
    SKIPPED.inc(reason=reason, channel=channel.value if channel else "")


def in_order(routes: Sequence[tuple[frozenset[str], Handler]]) -> dict[str, Handler]:
    """One consumer handler per event type, running that type's handlers in the given order
    (each is idempotent, so a retried entry runs them all again harmlessly)."""
    by_type: dict[str, list[Handler]] = {}
    for types, handler in routes:
        for type_ in types:
            by_type.setdefault(type_, []).append(handler)

    def chain(handlers: list[Handler]) -> Handler:
        async def handle(event: Event) -> None:
            for handler in handlers:
                await handler(event)

        return handle

    return {type_: chain(handlers) for type_, handlers in by_type.items()}


def event_handlers(usecases: WorkerUseCases) -> dict[str, Handler]:
    """The bridge's handlers by event type: the projections first, so that the notifications
    an event asks for see the contact and order total it brought."""
    return in_order(
        [
            (usecases.project_contact.TYPES, usecases.project_contact),
            (usecases.project_order.TYPES, usecases.project_order),
            (usecases.ingest.TYPES, usecases.ingest),
        ]
    )


def build_worker_app(settings: NotificationsWorkerSettings) -> Starlette:
    jobs = settings.jobs
    redis = RedisResource(settings.redis)
    arq = arq_client(settings.redis.url)
    worker: ArqWorkerResource | None = None

    async def wake(job_id: str) -> None:
        if worker is not None:
            await worker.wake(job_id)

    email = SmtpEmailChannel(settings.smtp)
    sms: ChannelSender = RecordingSmsChannel(redis.client, keep=settings.sms.local_keep)
    channel_resources: list[Resource] = [email]
    if settings.sms.provider == "twilio":
        # Imported only here: the SDK and aiohttp take a second or more to import.
        from subgraphs.notifications.channels.twilio_sms import TwilioSmsChannel

        twilio = TwilioSmsChannel(settings.sms)
        sms = twilio
        channel_resources.append(twilio)
    usecases = bootstrap(
        redis_ports(redis.client, settings.store),
        clock=utc_now,
        delivery=Delivery(
            queue=ArqDeliveryQueue(arq, wake=wake),
            channels={Channel.EMAIL: email, Channel.SMS: sms},
            policy=DeliveryPolicy(
                max_attempts=jobs.max_attempts,
                first_delay_seconds=jobs.first_retry_seconds,
                max_delay_seconds=jobs.max_retry_seconds,
                attempt_timeout_seconds=jobs.attempt_timeout_seconds,
            ),
            max_event_age=settings.store.max_event_age,
            stuck_after=jobs.stuck_after,
            observe=_observe,
            on_skipped=_skipped,
        ),
    )
    worker = ArqWorkerResource(arq, usecases.deliver, jobs)
    bridge = StreamConsumer.for_settings(
        redis.client,
        settings.streams,
        group=EVENTS_READ.group,
        producers=EVENTS_READ.producers,
        handlers=event_handlers(usecases),
        reads=EVENTS_READ,
    )
    sweep = every(jobs.sweep_interval_seconds, usecases.requeue_stuck, name="stuck-sweep")
    return create_service_app(
        settings=settings,
        internal_only=True,  # it serves operators only: no public port
        # Closed in reverse: the bridge and the sweep stop enqueuing before the worker stops,
        # and the channels' connections close once its jobs are done.
        resources=[
            redis,
            *channel_resources,
            worker,
            bridge.task("stream-bridge", critical=True),
            BackgroundTask("stuck-sweep", sweep),
        ],
    )
