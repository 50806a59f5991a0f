"""An admin changes a staff member's role; it takes effect at their next refresh."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.correlation import correlation_id
from subgraphs.kernel.core.errors import DomainError, raise_if_any, retryable
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.reasons import checked_reason
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import staff as rules
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import UserRepository
from subgraphs.users.usecase.staff_ports import StaffStore

USER_NOT_FOUND = "USER_NOT_FOUND"
NOT_STAFF = "NOT_STAFF"
OWN_ACCOUNT = "OWN_ACCOUNT"
ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
ACCOUNT_CHANGED = "ACCOUNT_CHANGED"


@dataclass(frozen=True, slots=True)
class StaffChange:
    """Who acts, on which account, why."""

    actor_id: str
    user_id: str
    reason: str


async def staff_member(users: UserRepository, change: StaffChange) -> User:
    """The enabled staff account `change` acts on, not the actor's own; else the error."""
    if change.user_id == change.actor_id:
        message = "Another admin must do this to your own account."
        raise DomainError.of(OWN_ACCOUNT, message, "userId")
    [user] = await users.get_many([change.user_id])
    if user is None:
        raise DomainError.of(USER_NOT_FOUND, "There is no such account.", "userId")
    if not user.role.is_staff:
        raise DomainError.of(NOT_STAFF, "This account is not staff's.", "userId")
    if user.disabled_at is not None:
        raise DomainError.of(ACCOUNT_DISABLED, "This account is disabled.", "userId")
    return user


class ChangeStaffRole:
    """Give a staff account another staff role (`users.staff_role_changed {from, to}`, with
    the actor and the reason). Its sessions go on: the next refresh answers a token with
    the new role's scopes (staff tokens live minutes). Not on one's own account
    (`OWN_ACCOUNT`), so the last admin cannot demote themselves by mistake; the same role
    again changes nothing and records nothing."""

    def __init__(
        self,
        users: UserRepository,
        staff: StaffStore,
        uow: UnitOfWork,
        clock: Clock,
        new_id: NewId,
    ) -> None:
        self._users = users
        self._staff = staff
        self._uow = uow
        self._clock = clock
        self._new_id = new_id

    async def __call__(self, change: StaffChange, role: Role) -> User:
        change = StaffChange(change.actor_id, change.user_id, checked_reason(change.reason))
        raise_if_any(rules.role_problems(role))
        user = await staff_member(self._users, change)
        if user.role is role:
            return user
        changed = rules.with_role(user, role, self._clock())
        recorded = rules.record(
            self._new_id(),
            rules.STAFF_ROLE_CHANGED,
            actor_id=change.actor_id,
            subject_id=user.id,
            reason=change.reason,
            details={"from": user.role.value, "to": role.value},
            now=changed.updated_at,
            correlation_id=correlation_id.get(),
        )

        async def work() -> bool:
            now = changed.updated_at
            if not await self._staff.set_role(user.id, role, now, expected=user.role):
                return False
            await self._staff.record(recorded.action)
            return True

        if not await self._uow(work, recorded=recorded):
            raise retryable(ACCOUNT_CHANGED, "The account changed meanwhile; try again.")
        return changed
