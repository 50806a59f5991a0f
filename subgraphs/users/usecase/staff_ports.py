"""Ports of the staff use cases: second factors, sign-in challenges, invitations, the
activity record and the staff fields of accounts. Adapters and test fakes implement them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from subgraphs.kernel.core.access import Role
from subgraphs.users.domain.second_factor import SecondFactor, SignInChallenge
from subgraphs.users.domain.staff import OtherAction, StaffAction, StaffInvitation


class SecondFactors(Protocol):
    """Enrolled second factors (the secret kept encrypted) and pending sign-in challenges."""

    async def add(self, factor: SecondFactor) -> None: ...

    async def get(self, user_id: str) -> SecondFactor | None: ...

    async def use_step(self, user_id: str, step: int) -> bool:
        """Remember `step` as used, only if it is newer than the last one; False otherwise
        (a concurrent sign-in used it first)."""

    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        """Strike the code off; False if it was not (or no longer) there."""

    async def save_failures(self, factor: SecondFactor) -> None:
        """Store `factor`'s failure count and lock."""

    async def add_challenge(self, challenge: SignInChallenge) -> None: ...

    async def find_challenge(self, token_hash: str) -> SignInChallenge | None: ...

    async def consume_challenge(self, token_hash: str) -> bool:
        """Delete it; False if it was gone already (used meanwhile)."""


@dataclass(frozen=True, slots=True)
class ActivityPage:
    actions: list[StaffAction]
    has_next: bool


@dataclass(frozen=True, slots=True)
class InvitationPage:
    """Invitations not accepted yet (expired ones included), newest first."""

    invitations: list[StaffInvitation]
    has_next: bool


class StaffStore(Protocol):
    """Invitations, the activity record, and an account's role and disabled mark."""

    async def add_invitation(self, invitation: StaffInvitation) -> None: ...

    async def find_invitation(self, token_hash: str) -> StaffInvitation | None: ...

    async def consume_invitation(self, token_hash: str, now: datetime) -> bool:
        """Mark an unused, unexpired invitation used; False if it was not usable."""

    async def supersede_invitations(
        self, email: str, now: datetime, *, keep: str | None = None
    ) -> None:
        """Mark the email's pending invitations used (superseded), but the one whose token
        hash is `keep`: their links then answer as used ones do."""

    async def set_role(self, user_id: str, role: Role, now: datetime, *, expected: Role) -> bool:
        """Change the role of an enabled account whose role is still `expected`."""

    async def disable(self, user_id: str, now: datetime) -> bool:
        """Mark the account disabled; False if there is none or it was disabled already."""

    async def record(self, action: StaffAction) -> None:
        """Add an entry to the activity record."""

    async def record_other(self, entry: OtherAction) -> bool:
        """Add another context's staff action under its id: replacing the entry stored under
        it when `entry.supersedes`, else only if there is none; False when nothing was
        written."""

    async def activity(
        self, first: int, after: tuple[datetime, str] | None = None, actor_id: str | None = None
    ) -> ActivityPage:
        """Entries newest first, after the entry `(occurred_at, id)` when given, only those of
        `actor_id` when given."""

    async def pending_invitations(
        self, first: int, after: tuple[datetime, str] | None = None
    ) -> InvitationPage:
        """Invitations not accepted, newest first (`created_at`, then the invited account's
        `user_id`), after `(created_at, user_id)` when given."""
