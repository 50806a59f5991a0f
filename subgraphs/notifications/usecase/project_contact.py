"""Keep the contact projection: how to reach each user, from the users events.

The notifications context never asks the users subgraph for an address; it
keeps what `users.registered` and `users.profile_updated` said, and whether
`users.email_verified` said the address is its owner's. Events are
applied by version (their `occurred_at`), so a late redelivery of an older
profile change never overwrites a newer one.
"""

from __future__ import annotations

from subgraphs.kernel.core.events import Event
from subgraphs.notifications.domain.messages import (
    EMAIL_VERIFIED,
    PROFILE_UPDATED,
    REGISTERED,
    InvalidPayload,
)
from subgraphs.notifications.usecase.ports import ContactStore


class ProjectContact:
    """Apply `users.registered` / `profile_updated` / `email_verified` to the contact projection."""

    TYPES = frozenset({REGISTERED, PROFILE_UPDATED, EMAIL_VERIFIED})

    def __init__(self, contacts: ContactStore) -> None:
        self._contacts = contacts

    async def __call__(self, event: Event) -> None:
        payload = event.payload
        user_id = payload.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            raise InvalidPayload("payload has no 'user_id'")
        if event.type == EMAIL_VERIFIED:
            await self._contacts.mark_verified(user_id)
            return
        email = payload.get("email") if event.type == REGISTERED else None
        if event.type == REGISTERED and not isinstance(email, str):
            raise InvalidPayload("users.registered has no 'email'")
        await self._contacts.apply(
            user_id,
            email=email,
            name=_text_or_none(payload.get("name")),
            phone=_text_or_none(payload.get("phone")),
            version=int(event.occurred_at.timestamp() * 1000),
        )


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
