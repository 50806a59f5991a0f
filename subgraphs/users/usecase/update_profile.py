"""Change the signed-in user's name and phone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError, raise_if_any
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import UserRepository


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """What to change: a None `name` keeps it; `phone` is applied only if `set_phone`."""

    name: str | None = None
    phone: str | None = None
    set_phone: bool = False


class UpdateProfile:
    """Update name and/or phone of the signed-in user; omitted fields stay as they are.

    Emits `users.profile_updated`.
    """

    def __init__(self, users: UserRepository, uow: UnitOfWork, clock: Clock) -> None:
        self._users = users
        self._uow = uow
        self._clock = clock

    async def __call__(self, user_id: str, changes: ProfileChanges) -> User:
        [current] = await self._users.get_many([user_id])
        if current is None:
            raise DomainError.of("USER_NOT_FOUND", "Your account no longer exists.")
        name = rules.clean_name(changes.name) if changes.name is not None else current.name
        phone = rules.clean_phone(changes.phone) if changes.set_phone else current.phone
        raise_if_any([*rules.name_problems(name), *rules.phone_problems(phone)])
        updated = current.with_profile(name=name, phone=phone, now=self._clock())
        if not await self._uow(partial(self._users.update_profile, updated), recorded=updated):
            raise DomainError.of("USER_NOT_FOUND", "Your account no longer exists.")
        return updated
