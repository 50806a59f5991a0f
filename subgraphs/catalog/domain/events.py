"""The events the catalog publishes on `events.catalog`: each one's type, version and payload.

The payloads are built through these declarations, and their JSON Schemas, generated from
them, are published in docs/events.asyncapi.yaml (docs/events.md "Event contracts"). Add a
field freely; remove or retype one only in a new version.
"""

from subgraphs.kernel.core.events import EventSpec, TypedDict


class ProductChanged(TypedDict):
    sku: str
    name: str
    description: str
    prices: dict[str, str]  # currency -> a decimal
    status: str
    product_version: int
    change: str  # seeded, created, updated, prices_changed, archived, restored, snapshot
    actor_id: str | None  # null for seeding and snapshots


class StockAdjusted(TypedDict):
    sku: str
    delta: int
    reason: str  # RECEIVED, COUNTED, DAMAGED, RETURNED
    note: str | None
    on_hand: int
    reserved: int
    actor_id: str | None


class ReservedItem(TypedDict):
    sku: str
    quantity: int


class StockReserved(TypedDict):
    order_id: str
    user_id: str | None
    items: list[ReservedItem]


class ShortItem(TypedDict):
    sku: str
    requested: int
    available: int
    reason: str  # out_of_stock, archived, unknown


class StockRejected(TypedDict):
    order_id: str
    user_id: str | None
    short: list[ShortItem]


class StockCommitted(TypedDict):
    order_id: str
    user_id: str | None


class StockReleased(TypedDict):
    order_id: str
    user_id: str | None
    reason: str  # the cancellation's (e.g. expired), else cancelled


PRODUCT_CHANGED = EventSpec(
    "catalog.product_changed", ProductChanged, summary="A product's current version."
)
STOCK_ADJUSTED = EventSpec(
    "stock.adjusted", StockAdjusted, summary="Units on hand changed by staff or a restock."
)
STOCK_RESERVED = EventSpec(
    "stock.reserved", StockReserved, summary="Every line of an order is reserved."
)
STOCK_REJECTED = EventSpec(
    "stock.rejected", StockRejected, summary="A line of an order could not be reserved."
)
STOCK_COMMITTED = EventSpec(
    "stock.committed", StockCommitted, summary="A paid order's units left on hand."
)
STOCK_RELEASED = EventSpec(
    "stock.released", StockReleased, summary="A cancelled order's reservation was released."
)

PRODUCED = (
    PRODUCT_CHANGED,
    STOCK_ADJUSTED,
    STOCK_RESERVED,
    STOCK_REJECTED,
    STOCK_COMMITTED,
    STOCK_RELEASED,
)
