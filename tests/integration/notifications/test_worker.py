"""The notifications worker as a real process: at least once in, once in effect out.

Each test runs the worker (`python -m workers.notifications`) and the SMTP
sink (`python -m tools.smtp_sink`) as processes against a Redis of their own.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.kernel.core.events import Event
from subgraphs.kernel.messaging.consumer import DEAD_COUNTS
from subgraphs.notifications.domain.notification import (
    Channel,
    Kind,
    Notification,
    Preferences,
    Status,
)
from subgraphs.notifications.jobs.arq_queue import ArqDeliveryQueue, arq_client
from subgraphs.notifications.repository.redis_notifications import RedisNotificationStore
from subgraphs.notifications.repository.redis_profiles import RedisContacts, RedisPreferences
from testkit.waiting import eventually
from tests.integration.notifications.conftest import (
    all_acknowledged,
    append,
    idle,
    notification,
    registered,
    sink_held,
    status_is,
)
from tools.procs import free_port, http_ok

pytestmark = pytest.mark.integration


async def test_the_same_event_delivered_twice_sends_one_mail(redis, smtp_sink, worker):
    event = await registered(redis, "u-twice")
    await append(redis, "", {}, event=event)  # the same envelope again (a redelivery)
    welcome = f"{event.id}:email"
    await eventually(lambda: status_is(redis, welcome, "SENT"), what="the welcome mail")
    await eventually(lambda: all_acknowledged(redis), what="both entries acknowledged")

    # arq keeps no result of a finished job: only our records stand in the way.
    await eventually(lambda: idle(redis), what="the job finished")
    assert not await redis.exists(f"arq:job:{welcome}", f"arq:result:{welcome}")
    await append(redis, "", {}, event=event)
    # A later event on the same stream, then quiet: the third entry was handled, and any
    # job it enqueued (a wrong second send) has finished, so its mail would be at the sink.
    later = await registered(redis, "u-twice-later")
    await eventually(lambda: status_is(redis, f"{later.id}:email", "SENT"), what="the later mail")
    await eventually(lambda: idle(redis), what="every entry handled, every job finished")

    [mail] = await smtp_sink.messages(to="u-twice@example.com")
    assert (mail["subject"], mail["duplicates"]) == ("Welcome to Commerce", 0)
    assert await redis.zcard("notifications:user:u-twice") == 1


async def test_a_worker_killed_mid_send_and_restarted_sends_the_mail_once(redis, smtp_sink, worker):
    async with sink_held(smtp_sink):  # the sink stores the mail but does not answer
        event = await registered(redis, "u-killed")
        await eventually(lambda: smtp_sink.messages(to="u-killed"), what="the mail at the sink")
        worker.kill()  # SIGKILL: the worker never learns the mail was accepted
    welcome = f"{event.id}:email"
    assert await status_is(redis, welcome, "QUEUED")
    assert not await redis.exists(f"notifications:sent:{welcome}")

    worker.start()  # arq runs the job again once its in-progress key expires (12 s)
    await eventually(lambda: status_is(redis, welcome, "SENT"), what="the resend")

    [mail] = await smtp_sink.messages(to="u-killed")
    # The resend happened and carried the same Message-ID, so the mailbox kept one mail.
    assert mail["duplicates"] == 1
    assert mail["message_id"] == f"<{event.id}.email@notifications.commerce.example>"
    record = await notification(redis, welcome)
    assert record["receipt"] == mail["message_id"]
    assert await all_acknowledged(redis)


async def test_smtp_down_for_a_while_is_retried_and_the_mail_sent_once_it_is_back(
    redis, sink_factory, worker_factory
):
    sink = sink_factory(free_port())  # not started: nothing listens on its SMTP port yet
    worker = worker_factory(sink.smtp_port)
    worker.start()
    worker.wait_ready()
    event = await registered(redis, "u-down")
    welcome = f"{event.id}:email"

    async def retried_twice() -> bool:
        return int((await notification(redis, welcome)).get("attempts", "0")) >= 2

    await eventually(retried_twice, what="two failed attempts")
    record = await notification(redis, welcome)
    assert record["status"] == "QUEUED"
    assert "smtp unavailable" in record["last_error"]

    sink.process.start()
    sink.process.wait_ready()
    await eventually(lambda: status_is(redis, welcome, "SENT"), what="the mail once SMTP is back")
    [mail] = await sink.messages(to="u-down")
    assert mail["duplicates"] == 0


async def test_email_turned_off_sends_nothing_but_the_event_is_acknowledged(
    redis, smtp_sink, worker
):
    await registered(redis, "u-quiet")
    await eventually(lambda: smtp_sink.messages(to="u-quiet"), what="the welcome mail")
    await RedisPreferences(redis).put("u-quiet", Preferences(email=False))

    order = await append(redis, "orders.created", _order("u-quiet", "ord-quiet"))
    await registered(redis, "u-loud")  # a later event that does send
    await eventually(lambda: smtp_sink.messages(to="u-loud"), what="the later mail")
    await eventually(lambda: idle(redis), what="every entry handled, every job finished")

    assert [m["subject"] for m in await smtp_sink.messages(to="u-quiet")] == ["Welcome to Commerce"]
    assert await notification(redis, f"{order.id}:email") == {}
    assert not await redis.exists(f"arq:job:{order.id}:email", f"arq:result:{order.id}:email")


async def test_malformed_events_go_to_dead_letters_and_the_worker_goes_on(redis, smtp_sink, worker):
    await redis.xadd("events.orders", {"junk": "not an envelope"})
    no_user = {k: v for k, v in _order("u-x", "o-1").items() if k != "user_id"}
    bad = await append(redis, "orders.created", no_user)
    await registered(redis, "u-after")
    await eventually(lambda: smtp_sink.messages(to="u-after"), what="the mail after them")
    await eventually(lambda: all_acknowledged(redis), what="every entry acknowledged")

    dead = await redis.xrange("dead.notifications")
    assert len(dead) == 2
    reasons = [fields["reason"] for _, fields in dead]
    assert "not an event envelope" in reasons[0]
    assert reasons[1] == "payload has no 'user_id'"
    assert dead[1][1]["original.id"] == bad.id
    assert dead[1][1]["deliveries"] == "1"  # dead-lettered at once, not after retries
    assert await redis.hget(DEAD_COUNTS, "notifications") == "2"
    assert http_ok(worker.url or "")


async def test_an_event_version_the_worker_does_not_declare_is_dead_lettered_and_it_goes_on(
    redis, smtp_sink, worker
):
    await registered(redis, "u-v2")
    newer = Event.create(
        "orders.created",
        _order("u-v2", "o-v2"),
        producer="orders",
        occurred_at=datetime.now(UTC),
        version=2,
    )
    await append(redis, "", {}, event=newer)
    after = await append(redis, "orders.created", _order("u-v2", "o-v1"))
    await eventually(lambda: status_is(redis, f"{after.id}:email", "SENT"), what="the v1 mail")
    await eventually(lambda: all_acknowledged(redis), what="every entry acknowledged")

    [(_, dead)] = await redis.xrange("dead.notifications")
    assert (dead["original.id"], dead["original.version"]) == (newer.id, "2")
    assert dead["reason"] == "unknown version 2 of orders.created (this consumer reads 1)"
    assert dead["deliveries"] == "1"  # at once: no retry teaches it the version
    assert await notification(redis, f"{newer.id}:email") == {}  # nothing sent for it
    subjects = [m["subject"] for m in await smtp_sink.messages(to="u-v2")]
    assert "Order o-v1 received" in subjects
    assert "Order o-v2 received" not in subjects
    assert http_ok(worker.url or "")


async def test_a_refused_address_fails_for_good_with_a_category_not_the_reply(
    redis, smtp_sink, worker
):
    event = await registered(redis, "u-bounce", email="nobody@reject.test")
    welcome = f"{event.id}:email"
    await eventually(lambda: status_is(redis, welcome, "FAILED"), what="the failure")
    record = await notification(redis, welcome)
    assert record["failure_reason"] == "recipient_refused"  # what clients see
    assert record["last_error"].startswith("recipient refused: 550")  # kept, not exposed
    assert record["attempts"] == "1"
    assert await smtp_sink.messages() == []


async def test_a_job_that_fails_unexpectedly_every_time_ends_failed_not_queued(
    redis, notifications_redis, smtp_sink, worker_factory
):
    # Before the fix, arq failed the job for good on its first error and the
    # notification stayed QUEUED for ever.
    process = worker_factory(smtp_sink.smtp_port, NOTIFICATIONS_JOBS_MAX_ATTEMPTS="3")
    process.start()
    process.wait_ready()
    await RedisContacts(redis).apply(
        "u-bug", email="u-bug@example.com", name="Ann", phone=None, version=1
    )
    broken = _queued("evt-bug", "u-bug", data={"order_id": "o-1", "items": ["not an item"]})
    await _store(redis).create(broken)  # rendering it raises (a bug, as far as the job knows)
    arq = arq_client(notifications_redis)
    try:
        await ArqDeliveryQueue(arq).enqueue(broken.id)
    finally:
        await arq.aclose(close_connection_pool=True)

    await eventually(lambda: status_is(redis, broken.id, "FAILED"), what="FAILED")
    record = await notification(redis, broken.id)
    assert (record["failure_reason"], record["attempts"]) == ("internal_error", "3")
    assert "TypeError" in record["last_error"]
    assert await smtp_sink.messages(to="u-bug") == []


async def test_a_queued_notification_left_without_a_job_is_swept_up_and_sent(
    redis, smtp_sink, worker
):
    # QUEUED, but no arq job (as after a job arq dropped), queued long enough ago.
    await RedisContacts(redis).apply(
        "u-swept", email="u-swept@example.com", name="Ann", phone=None, version=1
    )
    stuck = _queued("evt-swept", "u-swept", created_at=datetime.now(UTC) - timedelta(minutes=5))
    await _store(redis).create(stuck)

    await eventually(lambda: status_is(redis, stuck.id, "SENT"), what="the swept notification")
    [mail] = await smtp_sink.messages(to="u-swept")
    assert mail["subject"] == "Welcome to Commerce"
    assert await redis.zscore("notifications:queued", stuck.id) is None


async def test_sms_goes_to_the_local_provider_when_turned_on(redis, smtp_sink, worker):
    await RedisPreferences(redis).put("u-sms", Preferences(email=True, sms=True))
    await registered(redis, "u-sms", phone="+14155550123")
    order = await append(redis, "orders.created", _order("u-sms", "ord-sms"))
    await eventually(lambda: status_is(redis, f"{order.id}:sms", "SENT"), what="the SMS")

    texts = [json.loads(raw) for raw in await redis.lrange("notifications:sms:outbox", 0, -1)]
    assert {(t["to"], t["text"]) for t in texts} >= {
        ("+14155550123", "Commerce: Order ord-sms received.")
    }
    await eventually(lambda: status_is(redis, f"{order.id}:email", "SENT"), what="the email")


async def test_a_rejected_order_mails_what_could_not_be_reserved(redis, smtp_sink, worker):
    await registered(redis, "u-short")
    rejected = {
        **_order("u-short", "ord-short"),
        "status": "REJECTED",
        "previous_status": "PENDING",
        "order_version": 2,
        "reason": "out of stock",
        "short": [{"sku": "SKU-TEE", "name": "T-shirt", "requested": 1, "available": 0}],
    }
    event = await append(redis, "orders.rejected", rejected)
    await eventually(lambda: status_is(redis, f"{event.id}:email", "SENT"), what="the mail")

    [mail] = [
        m
        for m in await smtp_sink.messages(to="u-short@example.com")
        if m["subject"] == "Order ord-short could not be accepted"
    ]
    raw = await smtp_sink.raw(mail["id"])
    assert "T-shirt: you asked for 1, sold out" in raw
    stored = await notification(redis, f"{event.id}:email")
    assert stored["kind"] == Kind.ORDER_REJECTED.value


def _store(redis) -> RedisNotificationStore:
    return RedisNotificationStore(
        redis, retention=timedelta(days=1), max_per_user=100, sent_key_ttl=timedelta(days=1)
    )


def _queued(
    event_id: str, user_id: str, *, data: dict | None = None, created_at: datetime | None = None
) -> Notification:
    kind = Kind.ORDER_CONFIRMATION if data else Kind.WELCOME
    return Notification(
        id=f"{event_id}:email",
        user_id=user_id,
        event_id=event_id,
        channel=Channel.EMAIL,
        kind=kind,
        subject="Order o-1 received" if data else "Welcome to Commerce",
        status=Status.QUEUED,
        data=data or {},
        created_at=created_at or datetime.now(UTC),
    )


def _order(user_id: str, order_id: str) -> dict:
    return {
        "order_id": order_id,
        "user_id": user_id,
        "status": "PENDING",
        "order_version": 1,
        "currency": "USD",
        "total": "19.90",
        "items": [{"sku": "SKU-TEE", "name": "T-shirt", "quantity": 1, "unit_price": "19.90"}],
    }
