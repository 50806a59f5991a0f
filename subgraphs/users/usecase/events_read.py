"""What the activity record reads of other contexts' staff actions (`make schema-check`);
the stream consumer hands `RecordStaffEvent` these fields only, and they are what an entry
records."""

from __future__ import annotations

from subgraphs.kernel.core.contracts import Consumes, Reads

EVENTS_READ = Consumes(
    "users",
    producers=("orders", "payments", "catalog"),
    reads=(
        Reads("orders.cancelled", 1, ("actor_id", "order_id", "currency", "reason")),
        Reads(
            "payments.refund_approved",
            1,
            ("actor_id", "order_id", "payment_id", "request_id", "request_reason", "reason"),
        ),
        Reads(
            "payments.refund_declined",
            1,
            ("actor_id", "order_id", "payment_id", "request_id", "reason"),
        ),
        Reads(
            "payments.refunded",
            1,
            ("actor_id", "order_id", "payment_id", "amount", "currency", "reason"),
        ),
        Reads("catalog.product_changed", 1, ("actor_id", "sku", "change")),
        Reads("stock.adjusted", 1, ("actor_id", "sku", "delta", "note", "reason")),
    ),
)
