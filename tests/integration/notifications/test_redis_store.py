"""The Redis adapters: creation once, status transitions, paging, contacts by version."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.notifications.domain.notification import (
    Channel,
    DeliveryReport,
    FailureReason,
    Kind,
    Notification,
    Status,
)
from subgraphs.notifications.repository.redis_notifications import RedisNotificationStore
from subgraphs.notifications.repository.redis_profiles import RedisContacts, RedisOrderSummaries
from subgraphs.notifications.usecase.ports import PageCursor

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def store(redis, **options) -> RedisNotificationStore:
    defaults = {
        "retention": timedelta(days=90),
        "max_per_user": 500,
        "sent_key_ttl": timedelta(days=30),
    }
    return RedisNotificationStore(redis, **{**defaults, **options})


def queued(n: int, user_id: str = "u-1") -> Notification:
    return Notification(
        id=f"evt-{n}:email",
        user_id=user_id,
        event_id=f"evt-{n}",
        channel=Channel.EMAIL,
        kind=Kind.ORDER_CONFIRMATION,
        subject=f"Order {n} received",
        status=Status.QUEUED,
        data={"order_id": str(n), "items": [{"name": "Mug", "quantity": 2}]},
        created_at=T0 + timedelta(seconds=n),
    )


async def test_a_notification_is_created_once_and_read_back_whole(redis):
    notifications = store(redis)
    assert await notifications.create(queued(1)) is None
    assert await notifications.create(queued(1)) is Status.QUEUED
    assert await notifications.get("evt-1:email") == queued(1)
    assert await notifications.begin_attempt("evt-9:email") is None
    assert 0 < await redis.ttl("notifications:n:evt-1:email") <= 90 * 86400


async def test_sent_is_final_and_sets_the_sent_key(redis):
    notifications = store(redis)
    await notifications.create(queued(1))
    await notifications.begin_attempt("evt-1:email")
    await notifications.note_failure("evt-1:email", "connection refused")
    await notifications.begin_attempt("evt-1:email")
    await notifications.mark_sent("evt-1:email", T0, "<m@x>")
    await notifications.mark_failed("evt-1:email", FailureReason.GAVE_UP, "too late")
    await notifications.note_failure("evt-1:email", "ignored")
    done = await notifications.begin_attempt("evt-1:email")  # counts nothing once done

    sent = await notifications.get("evt-1:email")
    assert sent is not None
    assert sent == done
    assert (sent.status, sent.sent_at, sent.attempts) == (Status.SENT, T0, 2)
    assert sent.last_error == "connection refused"
    assert await notifications.was_sent("evt-1:email")
    assert await redis.get("notifications:sent:evt-1:email") == "<m@x>"
    assert 29 * 86400 < await redis.ttl("notifications:sent:evt-1:email") <= 30 * 86400
    assert await notifications.create(queued(1)) is Status.SENT


def report(provider_status: str, at: datetime = T0) -> DeliveryReport:
    found = DeliveryReport.final(provider_status, "SM1", at, "twilio error 30003")
    assert found is not None
    return found


async def test_a_providers_report_is_final_even_when_it_overtakes_sent(redis):
    notifications = store(redis)
    await notifications.create(queued(1))
    await notifications.create(queued(2))
    await notifications.begin_attempt("evt-1:email")
    # The callback arrives before the worker recorded SENT.
    assert await notifications.record_report("evt-1:email", report("delivered"))
    await notifications.mark_sent("evt-1:email", T0 + timedelta(seconds=5), "SM1")
    await notifications.mark_failed("evt-1:email", FailureReason.GAVE_UP, "late")
    assert not await notifications.record_report("evt-1:email", report("undelivered"))
    delivered = await notifications.get("evt-1:email")
    assert delivered is not None
    assert (delivered.status, delivered.sent_at, delivered.failure_reason) == (
        Status.DELIVERED,
        T0,
        None,
    )
    assert await notifications.was_sent("evt-1:email")
    assert await redis.zrange("notifications:queued", 0, -1) == ["evt-2:email"]

    # After SENT: undelivered is FAILED with its own category; nothing moves it after that.
    await notifications.mark_sent("evt-2:email", T0, "SM2")
    assert await notifications.record_report("evt-2:email", report("undelivered"))
    assert not await notifications.record_report("evt-2:email", report("delivered"))
    failed = await notifications.get("evt-2:email")
    assert failed is not None
    assert (failed.status, failed.failure_reason, failed.last_error) == (
        Status.FAILED,
        FailureReason.UNDELIVERED,
        "twilio error 30003",
    )
    assert DeliveryReport.final("sent", "SM2", T0) is None
    assert not await notifications.record_report("evt-9:email", report("delivered"))


async def test_failed_carries_its_category_and_keeps_the_detail_apart(redis):
    notifications = store(redis)
    await notifications.create(queued(1))
    detail = "recipient refused: 550 <a@mx.internal.example> unknown"
    await notifications.mark_failed("evt-1:email", FailureReason.RECIPIENT_REFUSED, detail)
    failed = await notifications.get("evt-1:email")
    assert failed is not None
    assert (failed.status, failed.failure_reason) == (Status.FAILED, "recipient_refused")
    assert failed.last_error == detail
    assert not await notifications.was_sent("evt-1:email")


async def test_a_record_from_before_categories_reads_as_gave_up(redis):
    notifications = store(redis)
    await notifications.create(queued(1))
    await redis.hset(
        "notifications:n:evt-1:email",
        mapping={"status": "FAILED", "failure_reason": "smtp unavailable: 10.0.0.7:25 refused"},
    )
    old = await notifications.get("evt-1:email")
    assert old is not None
    assert old.failure_reason is FailureReason.GAVE_UP


async def test_queued_notifications_are_listed_until_sent_or_failed(redis):
    notifications = store(redis)
    for n in (1, 2, 3):
        await notifications.create(queued(n))
    await notifications.create(queued(1))  # created again: listed once, same score
    assert await redis.zrange("notifications:queued", 0, -1, withscores=True) == [
        (f"evt-{n}:email", float(int((T0 + timedelta(seconds=n)).timestamp() * 1000)))
        for n in (1, 2, 3)
    ]
    await notifications.mark_sent("evt-1:email", T0, "<m>")
    await notifications.mark_failed("evt-2:email", FailureReason.NO_CONTACT, "no address")
    assert await redis.zrange("notifications:queued", 0, -1) == ["evt-3:email"]


async def test_queued_before_lists_the_oldest_first_and_seen_moves_one_back(redis):
    notifications = store(redis)
    for n in (1, 2, 3):
        await notifications.create(queued(n))
    cutoff = T0 + timedelta(seconds=2)
    assert await notifications.queued_before(cutoff, 10) == ["evt-1:email", "evt-2:email"]
    assert await notifications.queued_before(cutoff, 1) == ["evt-1:email"]

    await notifications.seen_queued("evt-1:email", T0 + timedelta(minutes=1))
    assert await notifications.queued_before(cutoff, 10) == ["evt-2:email"]
    await notifications.unlist_queued("evt-2:email")
    await notifications.seen_queued("evt-2:email", T0)  # not listed: stays unlisted
    assert await notifications.queued_before(cutoff, 10) == []


@pytest.mark.parametrize("first", [0, -1, -5])
async def test_a_page_of_zero_or_less_is_empty_with_nothing_next(redis, first):
    notifications = store(redis)
    for n in range(1, 4):
        await notifications.create(queued(n))
    page = await notifications.page_for_user("u-1", first, None)
    assert (page.notifications, page.has_next) == ([], False)
    last = queued(3)
    cursor = PageCursor(int(last.created_at.timestamp() * 1000), last.id)
    after = await notifications.page_for_user("u-1", first, cursor)
    assert (after.notifications, after.has_next) == ([], False)


async def test_pages_are_newest_first_and_cursors_survive_new_arrivals(redis):
    notifications = store(redis)
    for n in range(1, 6):
        await notifications.create(queued(n))
    await notifications.create(queued(9, user_id="someone-else"))

    first = await notifications.page_for_user("u-1", 2, None)
    assert [n.id for n in first.notifications] == ["evt-5:email", "evt-4:email"]
    assert first.has_next
    await notifications.create(queued(6))  # arrives between two pages
    last = first.notifications[-1]
    cursor = PageCursor(int(last.created_at.timestamp() * 1000), last.id)
    second = await notifications.page_for_user("u-1", 10, cursor)
    assert [n.id for n in second.notifications] == ["evt-3:email", "evt-2:email", "evt-1:email"]
    assert not second.has_next


async def test_a_cursor_whose_notification_expired_continues_from_its_time(redis):
    notifications = store(redis)
    for n in range(1, 4):
        await notifications.create(queued(n))
    await redis.delete("notifications:n:evt-3:email")
    await redis.zrem("notifications:user:u-1", "evt-3:email")
    cursor = PageCursor(int(queued(3).created_at.timestamp() * 1000), "evt-3:email")
    page = await notifications.page_for_user("u-1", 10, cursor)
    assert [n.id for n in page.notifications] == ["evt-2:email", "evt-1:email"]


async def test_only_the_newest_are_listed_per_user(redis):
    notifications = store(redis, max_per_user=3)
    for n in range(1, 6):
        await notifications.create(queued(n))
    page = await notifications.page_for_user("u-1", 10, None)
    assert [n.id for n in page.notifications] == ["evt-5:email", "evt-4:email", "evt-3:email"]


async def test_contacts_keep_the_email_and_the_newest_profile(redis):
    contacts = RedisContacts(redis)
    await contacts.apply("u-1", email="a@example.com", name="Ann", phone="+1", version=10)
    await contacts.apply("u-1", email=None, name="Bo", phone=None, version=30)
    await contacts.apply("u-1", email=None, name="Late", phone="+2", version=20)  # older
    contact = await contacts.get("u-1")
    assert contact is not None
    assert (contact.email, contact.name, contact.phone) == ("a@example.com", "Bo", None)
    assert await contacts.get("nobody") is None


async def test_order_summaries_expire(redis):
    orders = RedisOrderSummaries(redis, ttl=timedelta(days=30))
    await orders.put("o-1", {"total": "1.00", "currency": "EUR"})
    assert await orders.get("o-1") == {"total": "1.00", "currency": "EUR"}
    assert 0 < await redis.ttl("notifications:order:o-1") <= 30 * 86400
    assert await orders.get("o-2") is None


async def test_these_tests_use_the_notifications_database_of_their_own_server(redis):
    assert redis.connection_pool.connection_kwargs["db"] == 4


async def test_the_notifications_about_an_order_are_listed_newest_first(redis):
    notifications = store(redis, max_per_user=3)
    sms = replace(queued(1), id="evt-1:sms", channel=Channel.SMS)
    welcome = replace(queued(4), kind=Kind.WELCOME, data={})
    for notification in (queued(1), sms, queued(2), welcome):
        await notifications.create(notification)
    # A second event about order 1 (its receipt), a minute later.
    receipt = replace(queued(1), id="evt-5:email", created_at=T0 + timedelta(minutes=1))
    await notifications.create(receipt)

    about = await notifications.for_order("1", 10)
    assert [n.id for n in about] == ["evt-5:email", "evt-1:sms", "evt-1:email"]
    assert [n.id for n in await notifications.for_order("1", 1)] == ["evt-5:email"]
    assert await notifications.for_order("1", 0) == []
    assert await notifications.for_order("4", 10) == []  # the welcome mail is about no order
    assert 0 < await redis.ttl("notifications:order-n:1") <= 90 * 86400
    # An expired record leaves the order's list when read.
    await redis.delete("notifications:n:evt-1:sms")
    assert [n.id for n in await notifications.for_order("1", 10)] == ["evt-5:email", "evt-1:email"]
    assert await redis.zcard("notifications:order-n:1") == 2
