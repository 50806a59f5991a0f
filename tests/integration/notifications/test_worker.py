"""The notifications worker as a real process: at least once in, once in effect out.

Each test runs the worker (`python -m workers.notifications`) and the SMTP
sink (`python -m tools.smtp_sink`) as processes against a Redis of their own.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from subgraphs.kernel.consumer import DEAD_COUNTS
from subgraphs.notifications.domain.notification import Preferences
from subgraphs.notifications.repository.redis_profiles import RedisPreferences
from tests.integration.notifications.conftest import (
    all_acknowledged,
    append,
    notification,
    registered,
    sink_held,
    status_is,
    wait_for,
)
from tools.procs import free_port, http_ok

pytestmark = pytest.mark.integration


async def test_the_same_event_delivered_twice_sends_one_mail(redis, smtp_sink, worker):
    event = await registered(redis, "u-twice")
    await append(redis, "", {}, event=event)  # the same envelope again (a redelivery)
    welcome = f"{event.id}:email"
    await wait_for(lambda: status_is(redis, welcome, "SENT"), what="the welcome mail")
    await wait_for(lambda: all_acknowledged(redis), what="both entries acknowledged")

    # Once arq's result of the job has expired, only our records stand in the way.
    await wait_for(
        lambda: _gone(redis, f"arq:result:{welcome}"), timeout=5, what="arq's result expiry"
    )
    await append(redis, "", {}, event=event)
    await wait_for(lambda: all_acknowledged(redis), what="the third entry acknowledged")
    await asyncio.sleep(0.3)  # time for a (wrong) second job to run

    [mail] = await smtp_sink.messages(to="u-twice@example.com")
    assert (mail["subject"], mail["duplicates"]) == ("Welcome to Commerce", 0)
    assert await redis.zcard("notifications:user:u-twice") == 1


async def test_a_worker_killed_mid_send_and_restarted_sends_the_mail_once(redis, smtp_sink, worker):
    async with sink_held(smtp_sink):  # the sink stores the mail but does not answer
        event = await registered(redis, "u-killed")
        await wait_for(lambda: smtp_sink.messages(to="u-killed"), what="the mail at the sink")
        worker.kill()  # SIGKILL: the worker never learns the mail was accepted
    welcome = f"{event.id}:email"
    assert await status_is(redis, welcome, "QUEUED")
    assert not await redis.exists(f"notifications:sent:{welcome}")

    worker.start()  # arq runs the job again once its in-progress key expires (3 s)
    await wait_for(lambda: status_is(redis, welcome, "SENT"), timeout=15, what="the resend")

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

    await wait_for(retried_twice, what="two failed attempts")
    record = await notification(redis, welcome)
    assert record["status"] == "QUEUED"
    assert "smtp unavailable" in record["last_error"]

    sink.process.start()
    sink.process.wait_ready()
    await wait_for(lambda: status_is(redis, welcome, "SENT"), what="the mail once SMTP is back")
    [mail] = await sink.messages(to="u-down")
    assert mail["duplicates"] == 0


async def test_email_turned_off_sends_nothing_but_the_event_is_acknowledged(
    redis, smtp_sink, worker
):
    await registered(redis, "u-quiet")
    await wait_for(lambda: smtp_sink.messages(to="u-quiet"), what="the welcome mail")
    await RedisPreferences(redis).put("u-quiet", Preferences(email=False))

    order = await append(redis, "orders.created", _order("u-quiet", "ord-quiet"))
    await registered(redis, "u-loud")  # a later event that does send
    await wait_for(lambda: smtp_sink.messages(to="u-loud"), what="the later mail")
    await wait_for(lambda: all_acknowledged(redis), what="every entry acknowledged")

    assert [m["subject"] for m in await smtp_sink.messages(to="u-quiet")] == ["Welcome to Commerce"]
    assert await notification(redis, f"{order.id}:email") == {}
    assert not await redis.exists(f"arq:job:{order.id}:email", f"arq:result:{order.id}:email")


async def test_malformed_events_go_to_dead_letters_and_the_worker_goes_on(redis, smtp_sink, worker):
    await redis.xadd("events.orders", {"junk": "not an envelope"})
    no_user = {k: v for k, v in _order("u-x", "o-1").items() if k != "user_id"}
    bad = await append(redis, "orders.created", no_user)
    await registered(redis, "u-after")
    await wait_for(lambda: smtp_sink.messages(to="u-after"), what="the mail after them")
    await wait_for(lambda: all_acknowledged(redis), what="every entry acknowledged")

    dead = await redis.xrange("dead.notifications")
    assert len(dead) == 2
    reasons = [fields["reason"] for _, fields in dead]
    assert "not an event envelope" in reasons[0]
    assert reasons[1].startswith(f"orders.created {bad.id}: payload has no 'user_id'")
    assert dead[1][1]["deliveries"] == "1"  # dead-lettered at once, not after retries
    assert await redis.hget(DEAD_COUNTS, "notifications") == "2"
    assert http_ok(worker.url or "")


async def test_a_refused_address_fails_for_good_with_the_reason(redis, smtp_sink, worker):
    event = await registered(redis, "u-bounce", email="nobody@reject.test")
    welcome = f"{event.id}:email"
    await wait_for(lambda: status_is(redis, welcome, "FAILED"), what="the failure")
    record = await notification(redis, welcome)
    assert record["failure_reason"].startswith("recipient refused: 550")
    assert record["attempts"] == "1"
    assert await smtp_sink.messages() == []


async def test_sms_goes_to_the_local_provider_when_turned_on(redis, smtp_sink, worker):
    await RedisPreferences(redis).put("u-sms", Preferences(email=True, sms=True))
    await registered(redis, "u-sms", phone="+14155550123")
    order = await append(redis, "orders.created", _order("u-sms", "ord-sms"))
    await wait_for(lambda: status_is(redis, f"{order.id}:sms", "SENT"), what="the SMS")

    texts = [json.loads(raw) for raw in await redis.lrange("notifications:sms:outbox", 0, -1)]
    assert {(t["to"], t["text"]) for t in texts} >= {
        ("+14155550123", "Commerce: Order ord-sms received.")
    }
    await wait_for(lambda: status_is(redis, f"{order.id}:email", "SENT"), what="the email")


async def _gone(redis, key: str) -> bool:
    return not await redis.exists(key)


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
