"""The events payments publishes on `events.payments`: each one's type, version and payload.

The payloads are built through these declarations, and their JSON Schemas, generated from
them, are published in docs/events.asyncapi.yaml (docs/events.md "Event contracts"). Add a
field freely; remove or retype one only in a new version.
"""

from subgraphs.kernel.core.events import EventSpec, TypedDict


class PaymentFields(TypedDict):
    payment_id: str
    order_id: str
    user_id: str


class PaymentSucceeded(PaymentFields):
    amount: str  # a decimal
    currency: str


class PaymentFailed(PaymentFields):
    reason: str | None  # card_declined, insufficient_funds, provider_unavailable, ...


class PaymentRefunded(PaymentFields):
    amount: str  # a decimal
    currency: str
    actor_id: str | None  # the staff member; null for the system's refunds
    reason: str | None  # theirs; null for the system's refunds
    restock: bool  # the catalog returns the units to stock


class PaymentDisputed(PaymentFields):
    dispute_id: str
    reason: str | None


class RequestFields(TypedDict):
    request_id: str
    payment_id: str
    order_id: str
    user_id: str


class RefundRequested(RequestFields):
    reason: str  # the customer's


class RefundApproved(RequestFields):
    actor_id: str | None  # the refund's (null: the system's or the provider's refund)
    reason: str | None  # the refund's
    request_reason: str  # the customer's


class RefundDeclined(RequestFields):
    actor_id: str
    reason: str  # the staff member's, shown to the customer


SUCCEEDED = EventSpec("payments.succeeded", PaymentSucceeded, summary="An order was paid.")
FAILED = EventSpec("payments.failed", PaymentFailed, summary="A payment failed.")
REFUNDED = EventSpec("payments.refunded", PaymentRefunded, summary="A payment was refunded.")
DISPUTED = EventSpec("payments.disputed", PaymentDisputed, summary="The payer disputed a charge.")
REFUND_REQUESTED = EventSpec(
    "payments.refund_requested", RefundRequested, summary="A customer asked for a refund."
)
REFUND_APPROVED = EventSpec(
    "payments.refund_approved", RefundApproved, summary="A refund request was approved."
)
REFUND_DECLINED = EventSpec(
    "payments.refund_declined", RefundDeclined, summary="A refund request was declined."
)

PRODUCED = (
    SUCCEEDED,
    FAILED,
    REFUNDED,
    DISPUTED,
    REFUND_REQUESTED,
    REFUND_APPROVED,
    REFUND_DECLINED,
)
