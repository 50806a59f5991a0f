"""What the bridge's handlers (the contact and order projections, and the messages) read of
other contexts' events (`make schema-check`); the stream consumer hands them these fields
only, one payload per event for all its handlers."""

from __future__ import annotations

from subgraphs.kernel.core.contracts import Consumes, Reads

_CONTACT = ("user_id", "name", "phone")
_LINK = ("user_id", "email", "expires_at")
EVENTS_READ = Consumes(
    "notifications",
    producers=("users", "orders", "payments"),
    reads=(
        Reads("users.registered", 1, (*_CONTACT, "email")),
        Reads("users.profile_updated", 1, _CONTACT),
        Reads("users.email_verified", 1, ("user_id", "name")),
        Reads("users.email_verification_requested", 1, (*_LINK, "verify_url")),
        Reads("users.password_reset_requested", 1, (*_LINK, "reset_url")),
        Reads("users.staff_invited", 1, (*_LINK, "invite_url", "role")),
        Reads("users.sign_up_attempted", 1, ("user_id", "email")),
        Reads(
            "orders.created",
            1,
            ("order_id", "user_id", "total", "currency", "items[].name", "items[].quantity"),
        ),
        Reads("orders.cancelled", 1, ("order_id", "user_id", "reason")),
        Reads(
            "orders.rejected",
            1,
            (
                "order_id",
                "user_id",
                "short[].sku",
                "short[].name",
                "short[].requested",
                "short[].available",
                "short[].reason",
            ),
        ),
        Reads("payments.succeeded", 1, ("order_id", "user_id", "payment_id", "amount", "currency")),
        Reads("payments.failed", 1, ("order_id", "user_id", "payment_id", "reason")),
        Reads(
            "payments.refunded",
            1,
            ("order_id", "user_id", "payment_id", "amount", "currency", "reason"),
        ),
        Reads("payments.refund_declined", 1, ("order_id", "user_id", "reason")),
    ),
)
