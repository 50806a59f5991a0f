"""Register a new user with email, password, name and an optional phone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import raise_if_any
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import events as produced
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.verification import Recording
from subgraphs.users.usecase.ports import (
    EmailTaken,
    EmailVerifications,
    PasswordHasher,
    UserRepository,
)
from subgraphs.users.usecase.throttles import Throttles, enforce
from subgraphs.users.usecase.verify_email import StartVerification


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    name: str
    phone: str | None = None


class RegisterUser:
    """Create an account; emits `users.registered` and
    `users.email_verification_requested` (the link that verifies the address).

    It answers nothing, whether the email was free or taken: the password is
    hashed either way, a taken address's owner is told by mail
    (`users.sign_up_attempted`), and the caller signs in with `LogIn` next,
    so the answer cannot tell who has an account. Counted per client address
    and per email (`RATE_LIMITED` past either limit).
    """

    def __init__(
        self,
        users: UserRepository,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        clock: Clock,
        new_id: NewId,
        throttles: Throttles,
        verifications: EmailVerifications,
        start_verification: StartVerification,
    ) -> None:
        self._users = users
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._new_id = new_id
        self._throttles = throttles
        self._verifications = verifications
        self._start_verification = start_verification

    async def __call__(self, command: Registration, client: str = "unknown") -> None:
        email = rules.normalize_email(command.email)
        name = rules.clean_name(command.name)
        phone = rules.clean_phone(command.phone)
        raise_if_any(
            [
                *rules.email_problems(email),
                *rules.password_problems(command.password),
                *rules.name_problems(name),
                *rules.phone_problems(phone),
            ]
        )
        await enforce(self._throttles.sign_up_by_address, client)
        await enforce(self._throttles.sign_up_by_email, email)
        password_hash = await asyncio.to_thread(self._hasher.hash, command.password)
        user = rules.register(
            user_id=self._new_id(),
            email=email,
            name=name,
            phone=phone,
            password_hash=password_hash,
            now=self._clock(),
        )
        link = self._start_verification(user)

        async def work() -> None:  # the account, its link, their events: all or none
            await self._users.add(user)
            await self._verifications.add(link)

        try:
            await self._uow(work, recorded=Recording((*user.events, *link.events)))
        except EmailTaken:
            await self._tell_owner(email)

    async def _tell_owner(self, email: str) -> None:
        owner = await self._users.find_by_email(email)
        if owner is None:  # deleted in between: nobody to tell
            return
        payload: produced.SignUpAttempted = {"user_id": owner.id, "email": owner.email}
        attempt = Recording((produced.SIGN_UP_ATTEMPTED(payload, self._clock()),))

        async def nothing() -> None:  # the event is the whole change
            return None

        await self._uow(nothing, recorded=attempt)
