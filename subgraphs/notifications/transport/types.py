"""GraphQL types of the notifications subgraph: a mapping layer over the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.cost import bounded_list, connection_size
from subgraphs.kernel.graphql.enums import described_enum
from subgraphs.kernel.graphql.pagination import (
    Connection,
    page_size,
    read_time_cursor,
    time_cursor,
)
from subgraphs.kernel.graphql.public_errors import Forbidden
from subgraphs.notifications.domain import notification as domain
from subgraphs.notifications.transport.context import NotificationsContext
from subgraphs.notifications.usecase.ports import PageCursor
from subgraphs.notifications.usecase.read_notifications import MAX_PAGE, MAX_PER_ORDER

NotificationChannel = described_enum(
    domain.Channel,
    name="NotificationChannel",
    description="How a notification reaches a user.",
    values={"EMAIL": "A mail to the account's email.", "SMS": "A text to the profile's phone."},
)
NotificationStatus = described_enum(
    domain.Status,
    name="NotificationStatus",
    description="QUEUED until sent; SENT once the channel accepted it; DELIVERED once the "
    "provider reported it delivered (SMS only); FAILED for good.",
    values={
        "QUEUED": "Waiting to be sent, or retried after a failure.",
        "SENT": "The channel (mail server, SMS provider) accepted it.",
        "DELIVERED": "The SMS provider reported it delivered to the phone.",
        "FAILED": "Given up on: see failureReason.",
    },
)
NotificationKind = described_enum(
    domain.Kind,
    name="NotificationKind",
    description="What a notification is about.",
    values={
        "WELCOME": "A new account, once its address is verified.",
        "ORDER_CONFIRMATION": "An order was placed.",
        "ORDER_CANCELLED": "An order was cancelled (also when it expired unpaid).",
        "ORDER_REJECTED": "An order could not be accepted: what was out of stock.",
        "PAYMENT_RECEIPT": "An order was paid.",
        "PAYMENT_FAILED": "A payment attempt failed.",
        "REFUND": "A payment was refunded.",
        "REFUND_DECLINED": "A refund request was declined (with the reason).",
        "PASSWORD_RESET": "A password reset was asked for (sent whatever the preferences).",
        "VERIFY_EMAIL": "The link that verifies the address (sent whatever the preferences).",
        "SIGN_UP_ATTEMPT": "Someone tried to sign up with the address (sent whatever the "
        "preferences).",
        "STAFF_INVITATION": "An invitation to join the staff, with its one-time link (sent "
        "whatever the preferences).",
    },
)


@strawberry.type(description="A message to a user over one channel, born from one event.")
class Notification:
    id: strawberry.ID = strawberry.field(description="The notification's identifier.")
    channel: NotificationChannel = strawberry.field(description="How it is sent.")  # type: ignore[valid-type]
    kind: NotificationKind = strawberry.field(description="What it is about.")  # type: ignore[valid-type]
    subject: str = strawberry.field(description="Its subject line (the text of an SMS).")
    status: NotificationStatus = strawberry.field(description="Whether it was sent.")  # type: ignore[valid-type]
    failure_reason: str | None = strawberry.field(description="Why it FAILED, if it did.")
    created_at: datetime = strawberry.field(description="When the event behind it happened.")
    sent_at: datetime | None = strawberry.field(description="When it was sent; null until then.")

    @classmethod
    def from_model(cls, n: domain.Notification) -> Notification:
        return cls(
            id=strawberry.ID(n.id),
            channel=n.channel,
            kind=n.kind,
            subject=n.subject,
            status=n.status,
            failure_reason=n.failure_reason.value if n.failure_reason else None,
            created_at=n.created_at,
            sent_at=n.sent_at,
        )


@strawberry.type(description="Which channels a user accepts notifications on.")
class NotificationPreferences:
    email: bool = strawberry.field(description="Whether notifications are mailed.")
    sms: bool = strawberry.field(description="Sent only when the profile has a phone number.")
    updated_at: datetime | None = strawberry.field(description="Null until first changed.")

    @classmethod
    def from_model(cls, p: domain.Preferences) -> NotificationPreferences:
        return cls(email=p.email, sms=p.sms, updated_at=p.updated_at)


def cursor_of(n: domain.Notification) -> str:
    return time_cursor(n.created_at, n.id)


def page_cursor(cursor: str) -> PageCursor:
    """The creation time (milliseconds) and id of an `after` cursor."""
    return PageCursor(*read_time_cursor(cursor))


async def require_owner(info: Info[NotificationsContext, None], user_id: str) -> None:
    """UNAUTHENTICATED without a token, FORBIDDEN for anyone but the user."""
    principal = await info.context.auth.require()
    if principal.user_id != user_id:
        raise Forbidden()


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field(
        description="The user's notifications, newest first (the user only).",
        directives=[connection_size()],
    )
    async def notifications(
        self,
        info: Info[NotificationsContext, None],
        first: Annotated[
            int, strawberry.argument(description=f"How many notifications (at most {MAX_PAGE}).")
        ] = 10,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> Connection[Notification]:
        await require_owner(info, self.id)
        size = page_size(first, MAX_PAGE)
        cursor = page_cursor(after) if after is not None else None
        page = await info.context.usecases.read.page_for_user(self.id, size, cursor)
        return Connection.of(
            ((Notification.from_model(n), cursor_of(n)) for n in page.notifications),
            has_next=page.has_next,
        )

    @strawberry.field(description="Which channels the user accepts (the user only).")
    async def notification_preferences(
        self, info: Info[NotificationsContext, None]
    ) -> NotificationPreferences:
        await require_owner(info, self.id)
        preferences = await info.context.usecases.read.preferences(self.id)
        return NotificationPreferences.from_model(preferences)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


# Owned by the orders subgraph; no description here, so composition sees only its own.
@strawberry.federation.type(keys=["id"])
class Order:
    id: strawberry.ID

    @strawberry.field(
        description="The mails and texts sent about the order, newest first (its owner, or "
        "staff reading any order; empty for anyone else).",
        directives=[bounded_list(MAX_PER_ORDER)],
    )
    async def notifications(self, info: Info[NotificationsContext, None]) -> list[Notification]:
        principal = await info.context.auth.require()
        about = await info.context.usecases.read.for_order(str(self.id))
        # Someone else's order answers as one without notifications does.
        return [
            Notification.from_model(n)
            for n in about
            if principal.may_read(n.user_id, Scope.ORDERS_READ_ANY)
        ]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Order:
        return cls(id=id)
