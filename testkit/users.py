"""In-memory fakes of the users ports."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.clock import Clock
from subgraphs.users.domain.throttling import BackoffPolicy
from subgraphs.users.domain.user import User, matches_search
from subgraphs.users.domain.verification import EmailVerification
from subgraphs.users.usecase.ports import (
    AccessToken,
    After,
    EmailTaken,
    ThrottleUnavailable,
    UserPage,
)
from subgraphs.users.usecase.throttles import Throttles
from subgraphs.users.usecase.verify_email import VerificationPolicy


class InMemoryUsers:
    """The `UserRepository` port over a dict, with the same uniqueness rule as MongoDB."""

    def __init__(self) -> None:
        self.by_id: dict[str, User] = {}
        self.sign_in_failure: Exception | None = None  # raised by `record_sign_in` when set

    async def add(self, user: User) -> None:
        if any(u.email == user.email for u in self.by_id.values()):
            raise EmailTaken(user.email)
        self.by_id[user.id] = user

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        return [self.by_id.get(i) for i in ids]

    async def find_by_email(self, email: str) -> User | None:
        return next((u for u in self.by_id.values() if u.email == email), None)

    async def update_profile(self, user: User) -> bool:
        if user.id not in self.by_id:
            return False
        self.by_id[user.id] = user
        return True

    async def record_sign_in(self, user_id: str, at: datetime) -> None:
        if self.sign_in_failure is not None:
            raise self.sign_in_failure
        user = self.by_id.get(user_id)
        if user is not None and (user.last_sign_in_at is None or user.last_sign_in_at < at):
            self.by_id[user_id] = replace(user, last_sign_in_at=at)

    async def customers(self, term: str, first: int, after: After | None = None) -> UserPage:
        found = [u for u in self.by_id.values() if not u.role.is_staff and matches_search(u, term)]
        return _page(found, first, after)

    async def staff_members(self, first: int, after: After | None = None) -> UserPage:
        return _page([u for u in self.by_id.values() if u.role.is_staff], first, after)


def _page(users: list[User], first: int, after: After | None) -> UserPage:
    ordered = sorted(users, key=lambda u: (u.created_at, u.id), reverse=True)
    if after is not None:
        ordered = [u for u in ordered if (u.created_at, u.id) < after]
    return UserPage(ordered[:first], has_next=len(ordered) > first)


class InMemoryVerifications:
    """The `EmailVerifications` port: links here, the verified mark in the users fake."""

    def __init__(self, users: InMemoryUsers) -> None:
        self._users = users
        self.links: dict[str, EmailVerification] = {}

    async def add(self, verification: EmailVerification) -> None:
        self.links[verification.token_hash] = verification

    async def find(self, token_hash: str, now: datetime) -> EmailVerification | None:
        link = self.links.get(token_hash)
        return link if link is not None and now < link.expires_at else None

    async def consume(self, token_hash: str) -> bool:
        return self.links.pop(token_hash, None) is not None

    async def mark_verified(self, user_id: str, now: datetime) -> None:
        user = self._users.by_id.get(user_id)
        if user is not None and user.email_verified_at is None:
            self._users.by_id[user_id] = replace(user, email_verified_at=now)


VERIFICATION_POLICY = VerificationPolicy("http://localhost:3000/verify-email", timedelta(days=2))


class ReversingHasher:
    """A cheap stand-in for argon2 with the same contract."""

    def hash(self, password: str) -> str:
        return "rev$" + password[::-1]

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == self.hash(password)


class CountingTokens:
    """Tokens that say whose they are; `roles` holds the role each was issued with."""

    def __init__(self) -> None:
        self.issued: list[str] = []
        self.roles: list[Role] = []

    def issue(
        self, user_id: str, session_id: str | None = None, role: Role = Role.CUSTOMER
    ) -> AccessToken:
        self.issued.append(user_id)
        self.roles.append(role)
        return AccessToken(f"token-for-{user_id}-in-{session_id}", datetime(2030, 1, 1, tzinfo=UTC))


class CountingLimit:
    """The `RateLimit` port in memory: counts per key, without a window (none ends in a test).

    `down = True` stands for an unreachable store.
    """

    def __init__(self, limit: int = 1000, wait: int = 60) -> None:
        self.limit = limit
        self.wait = wait
        self.hits: dict[str, int] = {}
        self.down = False

    async def hit(self, key: str) -> int:
        if self.down:
            raise ThrottleUnavailable("down")
        self.hits[key] = self.hits.get(key, 0) + 1
        return 0 if self.hits[key] <= self.limit else self.wait


class InMemoryBackoff:
    """The `SignInBackoff` port in memory, on a clock, with the Redis adapter's rules."""

    def __init__(self, policy: BackoffPolicy, clock: Clock) -> None:
        self.policy = policy
        self.clock = clock
        self.failures: dict[str, int] = {}
        self.not_before: dict[str, datetime] = {}
        self.down = False

    async def admit(self, key: str) -> int:
        if self.down:
            raise ThrottleUnavailable("down")
        now = self.clock()
        if key in self.not_before and now < self.not_before[key]:
            return math.ceil((self.not_before[key] - now).total_seconds())
        self.failures[key] = self.failures.get(key, 0) + 1
        delay = self.policy.delay_after(self.failures[key])
        self.not_before[key] = now + timedelta(seconds=delay)
        return 0

    async def succeeded(self, key: str) -> None:
        if self.down:
            raise ThrottleUnavailable("down")
        self.failures.pop(key, None)
        self.not_before.pop(key, None)


BACKOFF = BackoffPolicy(free_failures=3, base_seconds=30, max_seconds=600, memory_seconds=3600)


def in_memory_throttles(clock: Clock, backoff: BackoffPolicy = BACKOFF) -> Throttles:
    """Every throttle in memory: generous per-key limits, `backoff` per account."""
    return Throttles(
        sign_in_by_address=CountingLimit(),
        sign_in_by_account=InMemoryBackoff(backoff, clock),
        sign_up_by_address=CountingLimit(),
        sign_up_by_email=CountingLimit(),
        reset_by_address=CountingLimit(),
        reset_by_email=CountingLimit(3),
    )
