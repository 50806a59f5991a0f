"""The User aggregate and the rules its fields obey."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.errors import Problem
from subgraphs.kernel.core.events import DomainEvent
from subgraphs.users.domain import events as produced

EMAIL_MAX = 254
NAME_MAX = 100
PASSWORD_MIN = 8
# argon2 hashes any length, but a cap keeps a huge password from costing CPU and memory.
PASSWORD_MAX = 128

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")


REGISTERED = produced.REGISTERED.type
PROFILE_UPDATED = produced.PROFILE_UPDATED.type
# Someone tried to register an email that has an account: its owner is told by mail.
SIGN_UP_ATTEMPTED = produced.SIGN_UP_ATTEMPTED.type


@dataclass(frozen=True, slots=True)
class User:
    """A registered user. `email` is stored normalised (trimmed, lower case).

    `role` is `customer` unless the account is staff's (made on the command line or by an
    accepted invitation, never by `register`). `events` are those of the change that made
    this value (none once loaded).
    """

    id: str
    email: str
    name: str
    phone: str | None
    password_hash: str
    created_at: datetime
    updated_at: datetime
    email_verified_at: datetime | None = None  # None until a verification link is opened
    role: Role = Role.CUSTOMER
    disabled_at: datetime | None = None  # a disabled account signs in no more
    last_sign_in_at: datetime | None = None  # the last sign-in completed (login, second factor)
    events: tuple[DomainEvent, ...] = field(default=(), compare=False, repr=False)

    def with_profile(self, *, name: str, phone: str | None, now: datetime) -> User:
        """The new name and phone; records `users.profile_updated`."""
        event = produced.PROFILE_UPDATED(profile_updated_payload(self.id, name, phone), now)
        return replace(self, name=name, phone=phone, updated_at=now, events=(event,))


def register(
    *,
    user_id: str,
    email: str,
    name: str,
    phone: str | None,
    password_hash: str,
    now: datetime,
) -> User:
    """A new user (fields already cleaned and checked); records `users.registered`."""
    user = User(user_id, email, name, phone, password_hash, now, now)
    return replace(user, events=(produced.REGISTERED(registered_payload(user), now),))


def registered_payload(user: User) -> produced.Registered:
    """Payload of `users.registered`: the contact details other contexts may keep."""
    return {"user_id": user.id, "email": user.email, "name": user.name, "phone": user.phone}


def profile_updated_payload(user_id: str, name: str, phone: str | None) -> produced.ProfileUpdated:
    return {"user_id": user_id, "name": name, "phone": phone}


def normalize_email(raw: str) -> str:
    return raw.strip().lower()


def email_problems(email: str) -> list[Problem]:
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        return [Problem("INVALID_EMAIL", "Enter a valid email address.", ("email",))]
    return []


def password_problems(password: str) -> list[Problem]:
    if len(password) < PASSWORD_MIN:
        message = f"Password must be at least {PASSWORD_MIN} characters."
        return [Problem("PASSWORD_TOO_SHORT", message, ("password",))]
    if len(password) > PASSWORD_MAX:
        message = f"Password must be at most {PASSWORD_MAX} characters."
        return [Problem("PASSWORD_TOO_LONG", message, ("password",))]
    return []


def clean_name(raw: str) -> str:
    return " ".join(raw.split())


def name_problems(name: str) -> list[Problem]:
    if not name:
        return [Problem("NAME_REQUIRED", "Name must not be empty.", ("name",))]
    if len(name) > NAME_MAX:
        message = f"Name must be at most {NAME_MAX} characters."
        return [Problem("NAME_TOO_LONG", message, ("name",))]
    return []


# A search is at most as long as an email address.
SEARCH_MAX = EMAIL_MAX


def search_term(raw: str) -> str | None:
    """What a customer search looks for: white space collapsed, lower case; None when it is
    blank or longer than `SEARCH_MAX`."""
    term = " ".join(raw.split()).lower()
    if not term or len(term) > SEARCH_MAX:
        return None
    return term


def matches_search(user: User, term: str) -> bool:
    """The rule of a customer search: the email starts with `term` or the name contains it
    (`term` from `search_term`)."""
    return user.email.startswith(term) or term in user.name.lower()


def clean_phone(raw: str | None) -> str | None:
    """Remove spaces, dashes and brackets; an empty phone means none."""
    if raw is None:
        return None
    cleaned = re.sub(r"[\s\-().]", "", raw)
    return cleaned or None


def phone_problems(phone: str | None) -> list[Problem]:
    if phone is not None and not _PHONE.match(phone):
        message = "Phone must be in international format, e.g. +14155550123."
        return [Problem("INVALID_PHONE", message, ("phone",))]
    return []
