"""The events orders publishes on `events.orders`: each one's type, version and payload.

The payloads are built through these declarations, and their JSON Schemas, generated from
them, are published in docs/events.asyncapi.yaml (docs/events.md "Event contracts"). Add a
field freely; remove or retype one only in a new version.
"""

from subgraphs.kernel.core.events import EventSpec, NotRequired, TypedDict


class OrderLine(TypedDict):
    sku: str
    name: str
    quantity: int
    unit_price: str  # a decimal, in the order's currency


class OrderCreated(TypedDict):
    order_id: str
    user_id: str
    status: str
    order_version: int
    currency: str
    total: str  # a decimal
    items: list[OrderLine]


class StatusFields(TypedDict):
    order_id: str
    user_id: str
    status: str
    previous_status: str
    order_version: int
    currency: str
    total: str  # a decimal


class OrderStatusChanged(StatusFields):
    payment_id: NotRequired[str]  # the payment's, when a payment event caused it
    reason: NotRequired[str]  # the payment event's reason, when it had one


class OrderCancelled(StatusFields):
    actor_id: str | None  # the staff member who cancelled it; null otherwise
    reason: str | None  # theirs, or "expired"; null when the customer cancelled


class ShortLine(TypedDict):
    sku: str
    name: str
    requested: int
    available: int
    reason: str  # the catalog's: out_of_stock, archived, unknown


class OrderRejected(StatusFields):
    reason: str  # "out of stock"
    short: list[ShortLine]


CREATED = EventSpec("orders.created", OrderCreated, summary="An order was placed (PENDING).")
PAID = EventSpec("orders.paid", OrderStatusChanged, summary="An order was paid.")
PAYMENT_FAILED = EventSpec(
    "orders.payment_failed", OrderStatusChanged, summary="A payment of an order failed."
)
CANCELLED = EventSpec(
    "orders.cancelled", OrderCancelled, summary="An order was cancelled, or expired unpaid."
)
REFUNDED = EventSpec("orders.refunded", OrderStatusChanged, summary="A paid order was refunded.")
REJECTED = EventSpec(
    "orders.rejected", OrderRejected, summary="The catalog could not reserve an order's stock."
)

PRODUCED = (CREATED, PAID, PAYMENT_FAILED, CANCELLED, REFUNDED, REJECTED)
