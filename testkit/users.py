"""In-memory fakes of the users ports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import AccessToken, EmailTaken


class InMemoryUsers:
    """The `UserRepository` port over a dict, with the same uniqueness rule as MongoDB."""

    def __init__(self) -> None:
        self.by_id: dict[str, User] = {}

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


class ReversingHasher:
    """A cheap stand-in for argon2 with the same contract."""

    def hash(self, password: str) -> str:
        return "rev$" + password[::-1]

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == self.hash(password)


class CountingTokens:
    def __init__(self) -> None:
        self.issued: list[str] = []

    def issue(self, user_id: str, session_id: str | None = None) -> AccessToken:
        self.issued.append(user_id)
        return AccessToken(f"token-for-{user_id}-in-{session_id}", datetime(2030, 1, 1, tzinfo=UTC))


class CountingThrottle:
    """The `LoginThrottle` port in memory, without a time window."""

    def __init__(self, max_failures: int = 3) -> None:
        self.max_failures = max_failures
        self.attempts: dict[str, int] = {}

    async def attempt(self, key: str) -> bool:
        self.attempts[key] = self.attempts.get(key, 0) + 1
        return self.attempts[key] <= self.max_failures

    async def succeeded(self, key: str) -> None:
        self.attempts.pop(key, None)
