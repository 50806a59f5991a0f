"""An admin disables a staff account: it signs in no more, and its sessions end now."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.correlation import correlation_id
from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.reasons import checked_reason
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import staff as rules
from subgraphs.users.domain.session import Revoked
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.change_staff_role import (
    ACCOUNT_DISABLED,
    StaffChange,
    staff_member,
)
from subgraphs.users.usecase.log_out_everywhere import deny_revoked
from subgraphs.users.usecase.ports import UserRepository
from subgraphs.users.usecase.session_ports import SessionDenyList, SessionRepository
from subgraphs.users.usecase.staff_ports import StaffStore


@dataclass(frozen=True, slots=True)
class Disabled:
    user: User
    revoked_sessions: int


class DisableStaff:
    """Disable a staff account (`users.staff_disabled`, with the actor and the reason).

    Every session of it is revoked in the same change and denied: its refresh
    tokens are refused (`ACCOUNT_DISABLED`) at once, its access tokens within a
    second everywhere; its password sign-ins are refused (`ACCOUNT_DISABLED`).
    Not one's own account (`OWN_ACCOUNT`); an account disabled already is
    `ACCOUNT_DISABLED`.
    """

    def __init__(
        self,
        users: UserRepository,
        staff: StaffStore,
        sessions: SessionRepository,
        uow: UnitOfWork,
        clock: Clock,
        new_id: NewId,
        deny: SessionDenyList,
    ) -> None:
        self._users = users
        self._staff = staff
        self._sessions = sessions
        self._uow = uow
        self._clock = clock
        self._new_id = new_id
        self._deny = deny

    async def __call__(self, change: StaffChange) -> Disabled:
        change = StaffChange(change.actor_id, change.user_id, checked_reason(change.reason))
        user = await staff_member(self._users, change)
        changed = rules.disabled(user, self._clock())
        now = changed.updated_at
        recorded = rules.record(
            self._new_id(),
            rules.STAFF_DISABLED,
            actor_id=change.actor_id,
            subject_id=user.id,
            reason=change.reason,
            details={"role": user.role.value},
            now=now,
            correlation_id=correlation_id.get(),
        )
        revoked = 0

        async def work() -> bool:
            nonlocal revoked
            if not await self._staff.disable(user.id, now):
                return False
            revoked = await self._sessions.revoke_all(user.id, now, Revoked.ACCOUNT_DISABLED)
            await self._staff.record(recorded.action)
            return True

        if not await self._uow(work, recorded=recorded):
            raise DomainError.of(ACCOUNT_DISABLED, "This account is disabled.", "userId")
        await deny_revoked(self._sessions, self._deny, user.id, now)
        return Disabled(changed, revoked)
