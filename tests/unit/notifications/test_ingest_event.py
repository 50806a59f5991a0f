"""The bridge's handlers (projections, then IngestEvent): events in, QUEUED notifications and
delivery jobs out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from subgraphs.kernel.core.events import Event, MalformedEvent
from subgraphs.notifications.domain.notification import Channel, Kind, Preferences, Status
from testkit.notifications import Context as World
from tests.unit.notifications.conftest import registered


def created(world: World, user_id: str = "u-1", **age: float) -> Event:
    payload = {
        "order_id": "ord-1",
        "user_id": user_id,
        "currency": "USD",
        "total": "9.95",
        "items": [{"name": "Merino socks", "quantity": 1}],
    }
    return world.event("orders.created", payload, **age)


async def test_a_registration_projects_the_contact_and_queues_no_mail(world):
    await world.handle(registered(world))

    contact = await world.contacts.get("u-1")
    assert contact is not None
    assert (contact.email, contact.name, contact.verified) == ("u-1@example.com", "Ann", False)
    assert world.store.by_id == {}


async def test_a_verified_address_gets_the_welcome_email_and_the_contact_its_name(world):
    await world.handle(registered(world))
    event = world.event(
        "users.email_verified", {"user_id": "u-1", "email": "u-1@example.com", "name": "Ann"}
    )
    await world.handle(event)

    contact = await world.contacts.get("u-1")
    assert contact is not None
    assert (contact.verified, contact.greeting_name) == (True, "Ann")
    [notification] = world.store.by_id.values()
    assert notification.id == f"{event.id}:email"
    assert (notification.kind, notification.channel, notification.status) == (
        Kind.WELCOME,
        Channel.EMAIL,
        Status.QUEUED,
    )
    assert notification.subject == "Welcome to Commerce"
    assert world.queue.enqueued == [notification.id]
    assert world.skipped == [("preference_off", Channel.SMS)]  # SMS is off by default


async def test_the_same_event_twice_queues_one_notification(world):
    event = created(world)
    await world.handle(event)
    await world.handle(event)
    assert list(world.store.by_id) == [f"{event.id}:email"]
    assert world.queue.enqueued == [f"{event.id}:email"]


async def test_an_event_whose_notification_was_sent_queues_nothing_again(world):
    event = created(world)
    await world.handle(event)
    await world.store.mark_sent(f"{event.id}:email", world.clock(), "r")
    world.queue.enqueued.clear()

    await world.handle(event)
    assert world.queue.enqueued == []


async def test_email_turned_off_queues_no_email(world):
    await world.preferences.put("u-1", Preferences(email=False))
    await world.handle(created(world))
    assert world.store.by_id == {}
    assert world.queue.enqueued == []
    assert ("preference_off", Channel.EMAIL) in world.skipped


async def test_sms_goes_out_when_turned_on_and_a_phone_is_known(world):
    await world.handle(registered(world, phone="+14155550123"))
    await world.preferences.put("u-1", Preferences(email=True, sms=True))
    event = created(world)
    await world.handle(event)
    assert {f"{event.id}:email", f"{event.id}:sms"} <= set(world.queue.enqueued)


async def test_sms_turned_on_without_a_phone_is_skipped(world):
    await world.handle(registered(world))
    await world.preferences.put("u-1", Preferences(email=False, sms=True))
    await world.handle(created(world))
    assert world.queue.enqueued == []  # email is off, and SMS has no phone
    assert ("no_phone", Channel.SMS) in world.skipped


async def test_an_event_older_than_the_age_limit_is_not_notified_about(world):
    await world.handle(created(world, days=8))
    assert world.store.by_id == {}
    assert world.skipped == [("stale_event", None)]


async def test_a_receipt_without_an_amount_gets_the_order_total(world):
    await world.handle(created(world))
    event = world.event(
        "payments.succeeded", {"order_id": "ord-1", "user_id": "u-1", "payment_id": "p-1"}
    )
    await world.handle(event)
    receipt = world.store.by_id[f"{event.id}:email"]
    assert (receipt.data["amount"], receipt.data["currency"]) == ("9.95", "USD")


@pytest.mark.parametrize(
    ("type_", "payload"),
    [
        ("orders.created", {"order_id": "o", "currency": "USD", "total": "1"}),
        ("users.registered", {"user_id": "u-1"}),
        ("users.profile_updated", {"name": "no user id"}),
    ],
)
async def test_a_payload_without_what_its_type_promises_is_malformed(world, type_, payload):
    with pytest.raises(MalformedEvent):
        await world.handle(world.event(type_, payload))
    assert world.queue.enqueued == []


HALF_AN_HOUR = timedelta(minutes=30)


def reset_requested(world: World, *, expires_in: timedelta = HALF_AN_HOUR) -> Event:
    payload = {
        "user_id": "u-1",
        "email": "ann@example.com",
        "name": "Ann",
        "reset_url": "https://shop.example/reset-password?token=t0ken",
        "expires_at": (world.clock() + expires_in).isoformat(),
    }
    return world.event("users.password_reset_requested", payload)


async def test_a_password_reset_is_queued_as_email_even_with_email_turned_off(world):
    await world.preferences.put("u-1", Preferences(email=False, sms=True))
    event = reset_requested(world)
    await world.handle(event)

    [notification] = world.store.by_id.values()
    assert notification.id == f"{event.id}:email"  # email only, whatever the SMS preference
    assert (notification.kind, notification.subject) == (
        Kind.PASSWORD_RESET,
        "Reset your Commerce password",
    )
    assert notification.address == "ann@example.com"
    assert notification.expires_at == world.clock() + timedelta(minutes=30)
    assert world.queue.enqueued == [notification.id]
    assert world.skipped == []


async def test_a_password_reset_that_expired_before_it_was_handled_queues_nothing(world):
    await world.handle(reset_requested(world, expires_in=timedelta(0)))
    assert world.store.by_id == {}
    assert world.queue.enqueued == []
    assert world.skipped == [("expired", None)]
