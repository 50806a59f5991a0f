"""What the payments' projection of the orders reads of their events (`make
schema-check`); the stream consumer hands it these fields only."""

from __future__ import annotations

from subgraphs.kernel.core.contracts import Consumes, Reads
from subgraphs.payments.domain.order_view import ORDER_EVENTS, STOCK_RESERVED

_ORDER_FIELDS = ("order_id", "user_id", "order_version", "total", "currency", "status")
EVENTS_READ = Consumes(
    "payments",
    producers=("orders", "catalog"),
    reads=(
        *(Reads(type_, 1, _ORDER_FIELDS) for type_ in ORDER_EVENTS),
        Reads(STOCK_RESERVED, 1, ("order_id",)),
    ),
)
