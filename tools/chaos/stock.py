"""The run's limited stock: the products it sells, and the stock invariants read from the stores.

Before the customers come, a catalog staff member (a token minted with the `catalog` role)
creates a few products of the run's own and receives fewer units than the orders ask for;
each customer orders one unit of one of them. At the end the invariants are checked in the
catalog's and orders' databases directly (as the outboxes are): for every sku, available =
on hand - reserved >= 0; reserved is the sum of the RESERVED reservations; on hand is the
sum of the stock movements (initial + adjustments - committed); the units committed are the
COMMITTED reservations' and never more than came in (0 oversold); every paid or refunded
order has a COMMITTED reservation; no reservation is left RESERVED (0 leaked once the
unpaid orders expired); as many COMMITTED, REJECTED and RELEASED reservations as paid (or
refunded), rejected and cancelled orders.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymongo

from subgraphs.kernel.core.access import Role
from testkit.journeys import Journey, Retry
from testkit.tokens import mint_access_token
from testkit.waiting import eventually

CREATE_PRODUCT = """mutation($input: CreateProductInput!) {
  createProduct(input: $input) { product { sku } userErrors { code } }
}"""
ADJUST = """mutation($input: AdjustStockInput!) {
  adjustStock(input: $input) { product { stock { onHand } } userErrors { code } }
}"""
PROBE_ORDER = """mutation($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id } userErrors { code } }
}"""

# Kinds of movement that bring units in (RECEIVED and COUNTED only when positive).
INCOMING = ("SEEDED", "RECEIVED", "COUNTED", "RETURNED")


def stocking_tokens(signing_key_file: str, tag: str) -> tuple[str, str]:
    """A catalog staff member's token and a customer's (to probe orders' price list),
    minted with the stack's users signing key."""
    pem = Path(signing_key_file).read_bytes()
    staff = mint_access_token(pem, f"staff-chaos-catalog-{tag}", role=Role.CATALOG)
    return staff, mint_access_token(pem, f"chaos-probe-{tag}")


def units_per_product(orders: int, products: int, share: float) -> list[int]:
    """``share`` of ``orders`` units (at least one a product), spread over ``products``."""
    total = max(products, round(orders * share))
    return [total // products + (1 if i < total % products else 0) for i in range(products)]


async def stock_up(
    journey: Journey, staff: str, probe: str, tag: str, units: list[int]
) -> list[str]:
    """Create the run's products (priced in USD only) with ``units`` on hand each, and wait
    until orders knows them (an order in EUR answers PRICE_NOT_AVAILABLE, no longer
    UNKNOWN_SKU); their skus. ``probe`` is any customer's token."""
    skus = [f"CHAOS-{tag.upper()}-{n + 1}" for n in range(len(units))]
    for n, (sku, count) in enumerate(zip(skus, units, strict=True), start=1):
        product = {
            "sku": sku,
            "name": f"Chaos lamp {n}",
            "description": "Sold by the chaos run, in short supply.",
            "prices": [{"amount": "25.00", "currency": "USD"}],
        }
        await mutate(journey, "createProduct", CREATE_PRODUCT, product, staff, done={"SKU_TAKEN"})
        adjust = {"sku": sku, "delta": count, "reason": "RECEIVED", "note": "chaos run"}
        await mutate(journey, "adjustStock", ADJUST, adjust, staff)

    async def known() -> bool:
        items = [{"sku": sku, "quantity": 1} for sku in skus]
        variables = {"input": {"items": items, "currency": "EUR"}}
        data = await journey.retrying(
            "createOrder", lambda: journey.call("createOrder", PROBE_ORDER, variables, probe)
        )
        codes = {e["code"] for e in data["createOrder"]["userErrors"]}
        if not codes <= {"UNKNOWN_SKU", "PRICE_NOT_AVAILABLE"} or not codes:
            raise RuntimeError(f"probing the run's products: {data['createOrder']}")
        return codes == {"PRICE_NOT_AVAILABLE"}

    await eventually(known, timeout=60, interval=0.2, what="orders to learn of the products")
    return skus


async def mutate(
    journey: Journey,
    op: str,
    query: str,
    input_: dict[str, Any],
    token: str,
    done: frozenset[str] | set[str] = frozenset(),
) -> None:
    """A staff mutation, retried; a userError other than one of ``done`` (an earlier attempt
    did it) fails the run. Only for mutations that are safe to repeat as the run uses them
    (before the faults: an adjustment retried after a lost answer would count twice)."""

    async def once() -> None:
        payload = (await journey.call(op, query, {"input": input_}, token))[op]
        codes = {e["code"] for e in payload["userErrors"]}
        if "CONCURRENT_UPDATE" in codes:
            raise Retry(f"{op}: {sorted(codes)}")
        if codes - set(done):
            raise RuntimeError(f"{op}: {payload['userErrors']}")

    await journey.retrying(op, once)


@dataclass
class SkuStock:
    """One sku as the catalog's stores have it at the end."""

    on_hand: int
    reserved: int
    available: int
    came_in: int = 0  # units of the movements that brought some in
    received: int = 0  # RECEIVED
    returned: int = 0  # RETURNED (a refund with restock)
    adjusted: int = 0  # sum of the adjustments (received, counted, damaged, returned)
    initial: int = 0  # SEEDED
    committed: int = 0  # units of the COMMITTED movements
    moved_on_hand: int = 0  # the on-hand deltas of every movement
    moved_reserved: int = 0  # the reserved deltas of every movement
    held: int = 0  # units of RESERVED reservations
    sold: int = 0  # units of COMMITTED reservations


@dataclass
class StockCheck:
    """The stock as the stores have it, and what breaks an invariant."""

    skus: dict[str, SkuStock]
    reservations: Counter[str]  # by status
    orders: Counter[str]  # by status
    expired: int  # CANCELLED orders whose last reason is "expired"
    paid_without_commit: list[str]
    violations: list[str] = field(default_factory=list)

    @property
    def left_reserved(self) -> int:
        return self.reservations["RESERVED"]


def check_stock(uri: str) -> StockCheck:
    """Read the catalog's and orders' databases at ``uri`` and check the stock invariants."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        uri, serverSelectionTimeoutMS=10_000
    )
    try:
        catalog, orders = client["catalog"], client["orders"]
        skus = {
            p["_id"]: SkuStock(p["on_hand"], p["reserved"], p["available"])
            for p in catalog["products"].find({}, {"on_hand": 1, "reserved": 1, "available": 1})
        }
        for m in catalog["stock_movements"].find(
            {}, {"sku": 1, "kind": 1, "on_hand_delta": 1, "reserved_delta": 1}
        ):
            s = skus.setdefault(m["sku"], SkuStock(0, 0, 0))
            s.moved_on_hand += m["on_hand_delta"]
            s.moved_reserved += m["reserved_delta"]
            if m["kind"] in INCOMING and m["on_hand_delta"] > 0:
                s.came_in += m["on_hand_delta"]
            if m["kind"] == "RECEIVED":
                s.received += m["on_hand_delta"]
            elif m["kind"] == "RETURNED":
                s.returned += m["on_hand_delta"]
            if m["kind"] == "SEEDED":
                s.initial += m["on_hand_delta"]
            elif m["kind"] == "COMMITTED":
                s.committed -= m["on_hand_delta"]
            elif m["kind"] not in ("RESERVED", "RELEASED"):
                s.adjusted += m["on_hand_delta"]
        reservations: Counter[str] = Counter()
        committed_orders = set()
        for r in catalog["reservations"].find({}, {"status": 1, "items": 1}):
            reservations[r["status"]] += 1
            if r["status"] == "COMMITTED":
                committed_orders.add(r["_id"])
            for item in r["items"]:
                s = skus.setdefault(item["sku"], SkuStock(0, 0, 0))
                if r["status"] == "RESERVED":
                    s.held += item["quantity"]
                elif r["status"] == "COMMITTED":
                    s.sold += item["quantity"]
        statuses: Counter[str] = Counter()
        expired = 0
        paid_without_commit = []
        for o in orders["orders"].find({}, {"status": 1, "timeline": 1}):
            statuses[o["status"]] += 1
            last = (o.get("timeline") or [{}])[-1]
            if o["status"] == "CANCELLED" and last.get("reason") == "expired":
                expired += 1
            if o["status"] in ("PAID", "REFUNDED") and o["_id"] not in committed_orders:
                paid_without_commit.append(o["_id"])
    finally:
        client.close()
    check = StockCheck(skus, reservations, statuses, expired, paid_without_commit)
    check.violations = violations(check)
    return check


def violations(check: StockCheck) -> list[str]:
    found = []
    for sku, s in sorted(check.skus.items()):
        if s.available != s.on_hand - s.reserved or s.available < 0:
            found.append(
                f"{sku}: available {s.available}, on hand {s.on_hand}, reserved {s.reserved}"
            )
        if s.reserved != s.held or s.reserved != s.moved_reserved:
            found.append(
                f"{sku}: reserved {s.reserved}, RESERVED reservations {s.held}, "
                f"movements {s.moved_reserved}"
            )
        if s.on_hand != s.initial + s.adjusted - s.committed or s.on_hand != s.moved_on_hand:
            found.append(
                f"{sku}: on hand {s.on_hand} != initial {s.initial} + adjustments {s.adjusted} "
                f"- committed {s.committed}"
            )
        if s.committed != s.sold:
            found.append(f"{sku}: {s.committed} committed, COMMITTED reservations hold {s.sold}")
        if s.committed > s.came_in:
            found.append(f"{sku}: oversold, {s.committed} committed of {s.came_in} that came in")
    if check.paid_without_commit:
        found.append(
            f"{len(check.paid_without_commit)} orders paid without a committed reservation, "
            f"e.g. {check.paid_without_commit[0]}"
        )
    if check.left_reserved:
        found.append(f"{check.left_reserved} reservations still RESERVED")
    # Each order's saga ended where the order did (an order ends with one reservation).
    r, o = check.reservations, check.orders
    for reservation, statuses in (
        ("COMMITTED", ("PAID", "REFUNDED")),
        ("REJECTED", ("REJECTED",)),
        ("RELEASED", ("CANCELLED",)),
    ):
        if r[reservation] != sum(o[status] for status in statuses):
            found.append(
                f"{r[reservation]} {reservation} reservations for "
                f"{sum(o[status] for status in statuses)} {' or '.join(statuses)} orders"
            )
    return found


async def read_stock(uri: str) -> StockCheck:
    return await asyncio.to_thread(check_stock, uri)


def oversold(check: StockCheck) -> int:
    return sum(max(0, s.committed - s.came_in) for s in check.skus.values())


def by_sku(check: StockCheck, skus: list[str]) -> dict[str, SkuStock]:
    return {sku: check.skus.get(sku, SkuStock(0, 0, 0)) for sku in skus}


def summary(check: StockCheck, skus: list[str], orders: int) -> list[str]:
    """The report's stock lines."""
    mine = by_sku(check, skus)
    received = sum(s.received for s in mine.values())
    lines = [
        f"stock:         {len(skus)} products, {received} units received for {orders} orders "
        f"of 1 unit; {sum(s.committed for s in mine.values())} committed, "
        f"{sum(s.returned for s in mine.values())} returned by refunds; "
        f"{check.orders['REJECTED']} orders REJECTED, {check.expired} expired unpaid; "
        f"{check.left_reserved} reservations left RESERVED, {oversold(check)} units oversold"
    ]
    for sku, s in mine.items():
        lines.append(
            f"  {sku}: {s.received} received, {s.returned} returned, {s.committed} committed; "
            f"on hand {s.on_hand}, reserved {s.reserved}, available {s.available}"
        )
    held = "hold" if not check.violations else f"broken: {'; '.join(check.violations[:5])}"
    lines.append(
        f"  invariants over {len(check.skus)} skus and {sum(check.reservations.values())} "
        "reservations (available = on hand - reserved >= 0, reserved = RESERVED reservations, "
        "on hand = initial + adjustments - committed, committed <= units in, every paid order "
        "committed, none left RESERVED, as many COMMITTED, REJECTED, RELEASED reservations as "
        f"paid, rejected, cancelled orders): {held}"
    )
    return lines
