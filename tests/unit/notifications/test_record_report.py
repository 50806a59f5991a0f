"""The SMS provider's reports: final statuses recorded once, the first wins, nothing undoes it."""

from __future__ import annotations

from subgraphs.notifications.domain.notification import Channel, FailureReason, Status
from subgraphs.notifications.usecase.deliver import Outcome
from subgraphs.notifications.usecase.ports import OutgoingMessage
from subgraphs.notifications.usecase.record_report import RecordReport
from testkit.notifications import Context, FakeChannel
from tests.unit.notifications.conftest import registered


class ReportingChannel(FakeChannel):
    """A provider whose `delivered` callback arrives before its answer to the send does."""

    record: RecordReport | None = None

    async def send(self, message: OutgoingMessage) -> str:
        receipt = await super().send(message)
        if self.record is not None:
            assert await self.record(message.key, "delivered", receipt)
        return receipt


async def _sms(world: Context, user_id: str) -> str:
    await world.preferences.put(user_id, (await world.preferences.get(user_id)).changed(
        email=False, sms=True, now=world.clock()
    ))  # fmt: skip
    await world.handle(registered(world, user_id, phone="+14155550123"))
    event = world.event("orders.cancelled", {"order_id": f"o-{user_id}", "user_id": user_id})
    await world.handle(event)
    return f"{event.id}:sms"


async def test_a_report_overtaking_sent_stands_and_later_ones_change_nothing():
    sms = ReportingChannel()
    world = Context(channels={Channel.SMS: sms})
    record = world.usecases.record_report
    overtaken, after_sent = await _sms(world, "u-1"), await _sms(world, "u-2")

    # `sent` is not final; `delivered` arrives before the worker recorded SENT.
    assert not await record(overtaken, "sent", "SM1")
    sms.record = record
    assert await world.usecases.deliver(overtaken) is Outcome.SENT
    assert not await record(overtaken, "undelivered", "SM1", "twilio error 30003")
    delivered = world.store.by_id[overtaken]
    assert (delivered.status, delivered.sent_at) == (Status.DELIVERED, world.clock())
    assert await world.usecases.deliver(overtaken) is Outcome.ALREADY_DONE

    sms.record = None
    assert await world.usecases.deliver(after_sent) is Outcome.SENT
    assert await record(after_sent, "UNDELIVERED", "SM2", "twilio error 30003")
    assert not await record(after_sent, "delivered", "SM2")
    failed = world.store.by_id[after_sent]
    assert (failed.status, failed.failure_reason) == (Status.FAILED, FailureReason.UNDELIVERED)
    assert not await record("no-such:sms", "delivered", "SM3")
