"""What the orders' handlers read of the payments and catalog events (`make schema-check`);
the stream consumer hands them these fields only."""

from __future__ import annotations

from subgraphs.kernel.core.contracts import Consumes, Reads
from subgraphs.orders.domain.catalog import PRODUCT_CHANGED

EVENTS_READ = Consumes(
    "orders",
    producers=("payments", "catalog"),
    reads=(
        Reads("payments.succeeded", 1, ("order_id", "payment_id")),
        Reads("payments.failed", 1, ("order_id", "payment_id", "reason")),
        Reads("payments.refunded", 1, ("order_id", "payment_id", "reason", "actor_id")),
        Reads("stock.reserved", 1, ("order_id",)),
        Reads(
            "stock.rejected",
            1,
            ("order_id", "short[].sku", "short[].requested", "short[].available", "short[].reason"),
        ),
        Reads(PRODUCT_CHANGED, 1, ("sku", "name", "product_version", "prices", "status")),
    ),
)
