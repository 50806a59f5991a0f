"""Email verification: a one-time link proves the account's owner reads its address.

Registering records `users.email_verification_requested` with a link whose
token works once for a while (48 h by default); only the token's hash is
stored. Opening the link records `users.email_verified`, after which the
notifications context may greet the user by name (the welcome mail): before
it, a mail to the address carries nothing the registrant wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from subgraphs.kernel.core.clock import to_milliseconds
from subgraphs.kernel.core.events import DomainEvent
from subgraphs.users.domain import events as produced
from subgraphs.users.domain.passwords import reset_link
from subgraphs.users.domain.user import User

EMAIL_VERIFICATION_REQUESTED = produced.EMAIL_VERIFICATION_REQUESTED.type
EMAIL_VERIFIED = produced.EMAIL_VERIFIED.type


@dataclass(frozen=True, slots=True)
class EmailVerification:
    token_hash: str
    user_id: str
    email: str
    created_at: datetime
    expires_at: datetime
    events: tuple[DomainEvent, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Recording:
    """Events recorded by a change that is not one aggregate's (several, or none)."""

    events: tuple[DomainEvent, ...]


def request_verification(
    user: User, token: str, hashed: str, policy: tuple[str, timedelta], now: datetime
) -> EmailVerification:
    """A verification of `user`'s address (`policy`: the page the link opens, how long it
    works); records the link to mail (and no name). `hashed` is what is stored of `token`."""
    link_base, lifetime = policy
    now = to_milliseconds(now)
    expires_at = now + lifetime
    payload: produced.EmailVerificationRequested = {
        "user_id": user.id,
        "email": user.email,
        "verify_url": reset_link(link_base, token),
        "expires_at": expires_at.isoformat(),
    }
    event = produced.EMAIL_VERIFICATION_REQUESTED(payload, now)
    return EmailVerification(hashed, user.id, user.email, now, expires_at, events=(event,))


def verified(user: User, now: datetime) -> Recording:
    """`users.email_verified`: the address is its owner's, and so is the name now shown."""
    payload: produced.EmailVerified = {"user_id": user.id, "email": user.email, "name": user.name}
    return Recording((produced.EMAIL_VERIFIED(payload, now),))
