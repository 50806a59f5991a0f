"""Ports the users use cases depend on; adapters and test fakes implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from subgraphs.kernel.core.access import Role
from subgraphs.users.domain.user import User
from subgraphs.users.domain.verification import EmailVerification


class EmailTaken(Exception):
    """Raised by `UserRepository.add` when the email belongs to another user."""


@dataclass(frozen=True, slots=True)
class UserPage:
    """Accounts newest first (`created_at`, then id, descending), and whether more follow."""

    users: list[User]
    has_next: bool


# Where a page of accounts continues: after the account `(created_at, id)`.
After = tuple[datetime, str]


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Insert a new user; `EmailTaken` if the email is in use."""

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        """Users in the order of `ids`, None where there is none."""

    async def find_by_email(self, email: str) -> User | None: ...

    async def update_profile(self, user: User) -> bool:
        """Store `user`'s name, phone and `updated_at`; False if there is no such user."""

    async def record_sign_in(self, user_id: str, at: datetime) -> None:
        """Set the account's `last_sign_in_at` to `at` unless it is later already."""

    async def customers(self, term: str, first: int, after: After | None = None) -> UserPage:
        """Customer accounts matching `term` (`domain.user.matches_search`), newest first."""

    async def staff_members(self, first: int, after: After | None = None) -> UserPage:
        """Accounts with a staff role, disabled ones included, newest first."""


class EmailVerifications(Protocol):
    """Outstanding verification links (by token hash) and the users' verified mark."""

    async def add(self, verification: EmailVerification) -> None: ...

    async def find(self, token_hash: str, now: datetime) -> EmailVerification | None:
        """The verification if it exists and has not expired."""

    async def consume(self, token_hash: str) -> bool:
        """Delete it; False if it was gone already (used meanwhile)."""

    async def mark_verified(self, user_id: str, now: datetime) -> None:
        """Set the user's `email_verified_at` unless set already."""


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_at: datetime


class TokenIssuer(Protocol):
    def issue(
        self, user_id: str, session_id: str | None = None, role: Role = Role.CUSTOMER
    ) -> AccessToken:
        """An access token for the user; `session_id` becomes its `sid` claim, `role` its
        `role` and `scope` claims (and its lifetime: staff tokens are shorter)."""


class ThrottleUnavailable(Exception):
    """A throttle could not reach its store; the guarded request is refused (fails closed)."""


class RateLimit(Protocol):
    """Counts requests per key within a window (e.g. sign-ups per client address)."""

    async def hit(self, key: str) -> int:
        """Count one request; 0 when within the limit, else seconds until the window ends.

        Raises `ThrottleUnavailable` when the count cannot be kept.
        """


class SignInBackoff(Protocol):
    """Growing delays between sign-in attempts for one account after repeated failures.

    Never a lock: once the delay has passed, the next attempt is checked as usual.
    """

    async def admit(self, key: str) -> int:
        """0: go ahead (counted as a failure until `succeeded`); else seconds to wait.

        Raises `ThrottleUnavailable` when the count cannot be kept.
        """

    async def succeeded(self, key: str) -> None:
        """Forget the failures counted for `key`."""


class LoginThrottle(Protocol):
    """Counts sign-in attempts per account since the last success, within a time window."""

    async def attempt(self, key: str) -> bool:
        """Count one attempt (before checking it); False when over the limit."""

    async def succeeded(self, key: str) -> None:
        """Forget the attempts counted for `key`."""
