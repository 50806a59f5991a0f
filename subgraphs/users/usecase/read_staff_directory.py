"""The staff accounts and the invitations not accepted yet, for an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from subgraphs.kernel.core.clock import Clock
from subgraphs.users.usecase.ports import After, UserPage, UserRepository
from subgraphs.users.usecase.staff_ports import InvitationPage, StaffStore


@dataclass(frozen=True, slots=True)
class Invitations:
    """A page of invitations, and the time it was read (which of them had expired then)."""

    page: InvitationPage
    now: datetime


class ReadStaffDirectory:
    """Staff accounts (disabled ones included) and pending or expired invitations."""

    def __init__(self, users: UserRepository, staff: StaffStore, clock: Clock) -> None:
        self._users = users
        self._staff = staff
        self._clock = clock

    async def members(self, first: int, after: After | None = None) -> UserPage:
        return await self._users.staff_members(first, after)

    async def invitations(self, first: int, after: After | None = None) -> Invitations:
        return Invitations(await self._staff.pending_invitations(first, after), self._clock())
