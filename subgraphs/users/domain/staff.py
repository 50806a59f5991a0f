"""Staff accounts: invitations, and the record of what staff do to them.

Staff never come from `register`: the first admin is made on the command
line, later staff accept an invitation an admin sent (a one-time link by
mail, like a password reset). Every staff action is an event carrying who
did it (`actor_id`, none on the command line) and why (`reason`); the same
change also writes a `StaffAction` to the activity record, so an admin can
read who did what, to whom, when, and under which correlation id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.clock import to_milliseconds
from subgraphs.kernel.core.errors import Problem
from subgraphs.kernel.core.events import DomainEvent, EventSpec
from subgraphs.users.domain import events as produced
from subgraphs.users.domain.passwords import reset_link
from subgraphs.users.domain.user import User

_SPECS: Mapping[str, EventSpec[Any]] = {
    spec.type: spec
    for spec in (
        produced.STAFF_CREATED,
        produced.STAFF_INVITED,
        produced.STAFF_INVITATION_ACCEPTED,
        produced.STAFF_ROLE_CHANGED,
        produced.STAFF_DISABLED,
    )
}
STAFF_CREATED = produced.STAFF_CREATED.type
STAFF_INVITED = produced.STAFF_INVITED.type
STAFF_INVITATION_ACCEPTED = produced.STAFF_INVITATION_ACCEPTED.type
STAFF_ROLE_CHANGED = produced.STAFF_ROLE_CHANGED.type
STAFF_DISABLED = produced.STAFF_DISABLED.type


@dataclass(frozen=True, slots=True)
class StaffAction:
    """One entry of the activity record (the same facts as the event it came with)."""

    id: str
    action: str  # the event type
    actor_id: str | None  # None: the command line
    subject_id: str | None  # the account acted upon
    reason: str | None
    details: Mapping[str, str]
    occurred_at: datetime
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """A staff action's event, and its entry in the activity record."""

    action: StaffAction
    events: tuple[DomainEvent, ...]


def record(
    action_id: str,
    action: str,
    *,
    actor_id: str | None,
    subject_id: str | None,
    reason: str | None,
    details: Mapping[str, str],
    now: datetime,
    correlation_id: str | None,
    extra: Mapping[str, str] | None = None,
) -> Recorded:
    """The event `action` with `{user_id, actor_id, reason, **details, **extra}`, and its entry
    (`extra` goes in the event only: what the activity record must not keep, e.g. a link)."""
    now = to_milliseconds(now)
    payload = {
        "user_id": subject_id,
        "actor_id": actor_id,
        "reason": reason,
        **details,
        **(extra or {}),
    }
    entry = StaffAction(
        action_id, action, actor_id, subject_id, reason, dict(details), now, correlation_id
    )
    return Recorded(entry, (_SPECS[action](payload, now),))


def role_problems(role: Role) -> list[Problem]:
    if not role.is_staff:
        return [Problem("INVALID_ROLE", "Choose a staff role.", ("role",))]
    return []


@dataclass(frozen=True, slots=True)
class StaffInvitation:
    """An invitation to become staff; only its token's hash is stored. The account it makes
    gets `user_id`, so the invitation mail and the account are one user's."""

    token_hash: str
    user_id: str
    email: str
    role: Role
    invited_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


def invitation_link(base_url: str, token: str) -> str:
    return reset_link(base_url, token)


def invitation(
    *,
    token_hash: str,
    user_id: str,
    email: str,
    role: Role,
    invited_by: str,
    now: datetime,
    lifetime: timedelta,
) -> StaffInvitation:
    now = to_milliseconds(now)
    return StaffInvitation(token_hash, user_id, email, role, invited_by, now, now + lifetime)


def staff_account(
    *, user_id: str, email: str, name: str, password_hash: str, role: Role, now: datetime
) -> User:
    """A staff account: its address is verified (the owner got the invitation, or an admin
    typed it), its role given; no `users.registered` (staff are not customers)."""
    now = to_milliseconds(now)
    return User(user_id, email, name, None, password_hash, now, now, now, role=role)


def with_role(user: User, role: Role, now: datetime) -> User:
    return replace(user, role=role, updated_at=to_milliseconds(now))


def disabled(user: User, now: datetime) -> User:
    now = to_milliseconds(now)
    return replace(user, disabled_at=now, updated_at=now)


# -- staff actions of other contexts, recorded from their events -----------------------

ORDER_CANCELLED = "orders.cancelled"
REFUND_APPROVED = "payments.refund_approved"
REFUND_DECLINED = "payments.refund_declined"
REFUNDED = "payments.refunded"
PRODUCT_CHANGED = "catalog.product_changed"
STOCK_ADJUSTED = "stock.adjusted"
RECORDED_EVENTS = (
    ORDER_CANCELLED,
    REFUND_APPROVED,
    REFUND_DECLINED,
    REFUNDED,
    PRODUCT_CHANGED,
    STOCK_ADJUSTED,
)


@dataclass(frozen=True, slots=True)
class OtherAction:
    """A staff action another context announced, as its activity entry.

    `supersedes`: the entry takes the place of one stored under the same id (an approved
    refund request's entry replaces the entry of the refund it ran); otherwise an entry
    already stored under that id wins and this one is dropped.
    """

    action: StaffAction
    supersedes: bool = False


def refund_entry_id(payment_id: str) -> str:
    """The one entry of a payment's refund: a payment is refunded at most once."""
    return f"refund-{payment_id}"


def other_action(
    event_id: str,
    event_type: str,
    payload: Mapping[str, object],
    occurred_at: datetime,
    correlation_id: str | None,
) -> OtherAction | None:
    """The activity entry of another context's event; None when no staff member acted.

    - `orders.cancelled` with an `actor_id` (a customer's own cancellation has none): subject
      the order.
    - `payments.refund_approved` / `payments.refund_declined`: subject the refund request.
    - `payments.refunded` with an `actor_id` (the system's refunds have none): subject the
      order. An approved request's refund is announced twice, by `payments.refunded` (the
      refund ran) and by `payments.refund_approved` (the request decided), with the same
      actor: both are written under `refund_entry_id(payment_id)` and the approval's entry
      wins, whichever event comes first, so one approval is one entry.
    - `catalog.product_changed` and `stock.adjusted` with an `actor_id` (seeding has none; a
      restock on a refund carries the refunding staff member's): subject the product's sku;
      the change, or the adjustment's delta, reason and note, as details.
    """
    actor = _text(payload.get("actor_id"))
    if event_type not in RECORDED_EVENTS or actor is None:
        return None
    order_id = _text(payload.get("order_id"))
    payment_id = _text(payload.get("payment_id"))
    details = {
        name: value
        for name in (
            "order_id",
            "payment_id",
            "request_id",
            "request_reason",
            "amount",
            "currency",
            "sku",
            "change",
            "delta",
            "note",
        )
        if (value := _text(payload.get(name))) is not None
    }
    entry_id, subject, supersedes = event_id, order_id, False
    reason = _text(payload.get("reason"))
    if event_type in (PRODUCT_CHANGED, STOCK_ADJUSTED):
        subject = _text(payload.get("sku"))
        if event_type == STOCK_ADJUSTED and reason is not None:
            details["adjustment_reason"], reason = reason, None
    if event_type in (REFUND_APPROVED, REFUND_DECLINED):
        subject = _text(payload.get("request_id"))
    if payment_id is not None and event_type in (REFUND_APPROVED, REFUNDED):
        entry_id, supersedes = refund_entry_id(payment_id), event_type == REFUND_APPROVED
    action = StaffAction(
        id=entry_id,
        action=event_type,
        actor_id=actor,
        subject_id=subject,
        reason=reason,
        details=details,
        occurred_at=to_milliseconds(occurred_at),
        correlation_id=correlation_id or None,
    )
    return OtherAction(action, supersedes)


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
