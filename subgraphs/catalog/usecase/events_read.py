"""What the saga's handlers read of the orders and payments events (`make schema-check`);
the stream consumer hands them these fields only."""

from __future__ import annotations

from subgraphs.kernel.core.contracts import Consumes, Reads

EVENTS_READ = Consumes(
    "catalog",
    producers=("orders", "payments"),
    reads=(
        Reads("orders.created", 1, ("order_id", "user_id", "items[].sku", "items[].quantity")),
        Reads("orders.paid", 1, ("order_id",)),
        Reads("orders.cancelled", 1, ("order_id", "user_id", "reason")),
        Reads("payments.refunded", 1, ("order_id", "restock", "actor_id")),
    ),
)
