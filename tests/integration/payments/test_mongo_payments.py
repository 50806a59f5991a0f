"""The payments adapters against the real store: exact decimals, unique indexes, the sandbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

import pytest

from subgraphs.kernel.core.money import Money
from subgraphs.kernel.stores.mongo import MongoUnitOfWork
from subgraphs.payments.domain.order_view import OrderState, OrderView
from subgraphs.payments.domain.payment import (
    CARD_DECLINED,
    PaymentRequest,
    Transaction,
    TransactionKind,
    TransactionStatus,
    start_payment,
)
from subgraphs.payments.provider.sandbox import SandboxProvider
from subgraphs.payments.repository.mongo_order_views import MongoOrderViews
from subgraphs.payments.repository.mongo_payments import MongoPayments
from subgraphs.payments.usecase.ports import (
    IdempotencyKeyTaken,
    OrderAlreadyHeld,
    ProviderUnavailable,
)

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 1, 12, 0, 0, 123000, tzinfo=UTC)  # milliseconds: what MongoDB keeps
THIRTY_CENTS = Money(Decimal("0.30"), "USD")


def order(
    order_id: str = "o-1",
    status: OrderState = OrderState.PENDING,
    version: int = 1,
    *,
    reserved: bool = False,
):
    return OrderView(order_id, "u-1", THIRTY_CENTS, status, version, NOW, stock_reserved=reserved)


def payment(payment_id: str = "p-1", order_id: str = "o-1", key: str = "k-1"):
    return start_payment(
        payment_id=payment_id,
        user_id="u-1",
        request=PaymentRequest(order_id, "pm_card_ok", key),
        order=order(order_id, reserved=True),
        now=NOW,
        lease_until=NOW + timedelta(seconds=30),
    )


def transaction(kind: TransactionKind = TransactionKind.CHARGE) -> Transaction:
    return Transaction("t-1", kind, THIRTY_CENTS, TransactionStatus.SUCCEEDED, NOW, "ch_1")


@pytest.fixture
async def repo(scratch_db) -> MongoPayments:
    repo = MongoPayments(scratch_db)
    await repo.ensure_indexes()
    return repo


@pytest.fixture
async def uow(scratch_db) -> MongoUnitOfWork:
    uow = MongoUnitOfWork(scratch_db, "payments")
    await uow.ensure_indexes()
    return uow


async def test_a_payment_reads_back_exactly(repo, uow, scratch_db):
    paid = payment().charged(transaction(), NOW + timedelta(seconds=1))
    await repo.add(payment())
    assert await uow(partial(repo.save, paid), recorded=paid)

    [stored] = await repo.get_many(["p-1"])

    assert stored == paid
    assert stored.amount.amount == Decimal("0.30")
    raw = await scratch_db.client[scratch_db.name]["payments"].find_one({"_id": "p-1"})
    assert type(raw["amount"]).__name__ == "Decimal128"  # not a float, not a string
    [outboxed] = await scratch_db["outbox"].find().to_list()
    assert (outboxed["type"], outboxed["payload"]["amount"]) == ("payments.succeeded", "0.30")


async def test_one_payment_per_user_and_key(repo):
    await repo.add(payment())

    with pytest.raises(IdempotencyKeyTaken):
        await repo.add(payment("p-2", order_id="o-2", key="k-1"))
    await repo.add(payment("p-3", order_id="o-3", key="k-3"))  # another key is fine


async def test_one_payment_holds_an_order_until_it_fails(repo):
    await repo.add(payment("p-1", key="k-1"))

    with pytest.raises(OrderAlreadyHeld):
        await repo.add(payment("p-2", key="k-2"))
    [first] = await repo.get_many(["p-1"])
    assert first is not None
    assert await repo.save(first.failed(CARD_DECLINED, NOW))
    await repo.add(payment("p-2", key="k-2"))  # a failed payment released the order

    held = await repo.holding("o-1")
    assert held is not None
    assert held.id == "p-2"
    [[newest, oldest]] = await repo.for_orders(["o-1"])
    assert {newest.id, oldest.id} == {"p-1", "p-2"}


async def test_twenty_racing_inserts_of_one_key_leave_one_payment(repo, scratch_db):
    attempts = [payment(f"p-{n}") for n in range(20)]

    outcomes = await asyncio.gather(*(repo.add(p) for p in attempts), return_exceptions=True)

    assert sum(o is None for o in outcomes) == 1
    assert all(isinstance(o, IdempotencyKeyTaken | OrderAlreadyHeld) for o in outcomes if o)
    assert await scratch_db["payments"].count_documents({}) == 1


async def test_a_stale_revision_writes_nothing_not_even_its_events(repo, uow, scratch_db):
    first = payment()
    await repo.add(first)
    charged = first.charged(transaction(), NOW)
    assert await uow(partial(repo.save, charged), recorded=charged)

    failed = first.failed(CARD_DECLINED, NOW)
    assert not await uow(partial(repo.save, failed), recorded=failed)

    [stored] = await repo.get_many(["p-1"])
    assert stored is not None
    assert stored.status == "SUCCEEDED"
    assert await scratch_db["outbox"].distinct("type") == ["payments.succeeded"]


async def test_a_refund_key_belongs_to_one_payment(repo):
    later = NOW + timedelta(seconds=30)
    for n in (1, 2):
        await repo.add(payment(f"p-{n}", order_id=f"o-{n}", key=f"k-{n}"))
        [p] = await repo.get_many([f"p-{n}"])
        assert p is not None
        assert await repo.save(p.charged(transaction(), NOW))
    [one, two] = await repo.get_many(["p-1", "p-2"])
    assert one is not None
    assert two is not None

    assert await repo.save(one.start_refund("r-1", "refund-key", NOW, later))
    with pytest.raises(IdempotencyKeyTaken):
        await repo.save(two.start_refund("r-2", "refund-key", NOW, later))


async def test_work_in_flight_is_found_once_its_lease_lapsed(repo):
    await repo.add(payment("p-charging", order_id="o-1", key="k-1"))
    await repo.add(payment("p-refunding", order_id="o-2", key="k-2"))
    [refunding] = await repo.get_many(["p-refunding"])
    assert refunding is not None
    charged = refunding.charged(transaction(), NOW)
    assert await repo.save(charged)
    assert await repo.save(charged.start_refund("r-1", "rk", NOW, NOW + timedelta(seconds=10)))

    assert await repo.in_flight(NOW, 10) == []
    lapsed = await repo.in_flight(NOW + timedelta(minutes=1), 10)
    assert sorted(p.id for p in lapsed) == ["p-charging", "p-refunding"]


async def test_the_orders_view_applies_each_event_once_and_keeps_the_newest(uow, scratch_db):
    views = MongoOrderViews(scratch_db)
    cancelled = order(status=OrderState.CANCELLED, version=2)

    assert await uow(partial(views.apply, cancelled), claim="e-2")
    late = order(version=1)
    assert await uow(partial(views.apply, late), claim="e-1")  # recorded, changes nothing
    assert not await uow(partial(views.apply, cancelled), claim="e-2")  # a redelivery

    assert await views.get("o-1") == cancelled
    assert await views.get("o-unknown") is None
    stored = await views.get("o-1")
    assert stored is not None
    assert stored.total.amount == Decimal("0.30")


async def test_stock_reserved_is_kept_whether_it_comes_before_or_after_the_order(uow, scratch_db):
    views = MongoOrderViews(scratch_db)

    await views.mark_reserved("o-1")  # before any orders event: no order yet
    assert await views.get("o-1") is None
    await uow(partial(views.apply, order()))
    await uow(partial(views.apply, order(status=OrderState.PAYMENT_FAILED, version=2)))
    await uow(partial(views.apply, order(version=1)), claim="e-late")  # in a transaction

    assert await views.get("o-1") == order(
        status=OrderState.PAYMENT_FAILED, version=2, reserved=True
    )
    await uow(partial(views.apply, order("o-2")))
    await views.mark_reserved("o-2")
    await views.mark_reserved("o-2")  # redelivered
    assert await views.get("o-2") == order("o-2", reserved=True)


async def test_the_orders_view_without_a_claim_keeps_the_newest_whatever_the_order(uow, scratch_db):
    """How the projection applies events: no claim, one conditional write, no transaction."""
    views = MongoOrderViews(scratch_db)
    created, paid = order(version=1), order(status=OrderState.PAID, version=2)

    assert await uow(partial(views.apply, created))
    assert await uow(partial(views.apply, paid))
    assert await uow(partial(views.apply, paid))  # a redelivery
    assert await uow(partial(views.apply, created))  # late
    assert await views.get("o-1") == paid
    assert await scratch_db["processed_events"].count_documents({}) == 0

    versions = [order("o-2", OrderState.PENDING, v) for v in range(1, 9)]
    await asyncio.gather(*(uow(partial(views.apply, v)) for v in reversed(versions)))
    await asyncio.gather(*(uow(partial(views.apply, v)) for v in versions))
    assert await views.get("o-2") == versions[-1]


async def test_the_sandbox_answers_the_same_key_the_same_way_and_charges_once(scratch_db):
    sandbox = SandboxProvider(scratch_db)
    await sandbox.ensure_indexes()

    answers = await asyncio.gather(
        *(
            sandbox.charge(
                idempotency_key="charge-1", payment_method="pm_card_ok", amount=THIRTY_CENTS
            )
            for _ in range(20)
        )
    )

    assert len({a.reference for a in answers}) == 1
    assert all(a.approved for a in answers)
    assert await scratch_db["sandbox_ledger"].count_documents({}) == 1
    declined = await sandbox.charge(
        idempotency_key="charge-2", payment_method="pm_card_insufficient_funds", amount=THIRTY_CENTS
    )
    assert (declined.approved, declined.decline_reason) == (False, "insufficient_funds")
    with pytest.raises(ProviderUnavailable):
        await sandbox.charge(
            idempotency_key="charge-3", payment_method="pm_provider_down", amount=THIRTY_CENTS
        )
    assert await scratch_db["sandbox_ledger"].count_documents({"_id": "charge-3"}) == 0


async def test_the_sandbox_refunds_a_charge_once(scratch_db):
    sandbox = SandboxProvider(scratch_db)
    charge = await sandbox.charge(
        idempotency_key="charge-1", payment_method="pm_card_ok", amount=THIRTY_CENTS
    )
    assert charge.reference is not None

    first = await sandbox.refund(
        idempotency_key="refund-1", charge_reference=charge.reference, amount=THIRTY_CENTS
    )
    replay = await sandbox.refund(
        idempotency_key="refund-1", charge_reference=charge.reference, amount=THIRTY_CENTS
    )
    second = await sandbox.refund(
        idempotency_key="refund-2", charge_reference=charge.reference, amount=THIRTY_CENTS
    )
    unknown = await sandbox.refund(
        idempotency_key="refund-3", charge_reference="ch_nope", amount=THIRTY_CENTS
    )

    assert first.approved
    assert replay == first
    assert (second.approved, second.decline_reason) == (False, "charge_already_refunded")
    assert (unknown.approved, unknown.decline_reason) == (False, "unknown_charge")
