"""Register a new user with email, password, name and an optional phone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError, Problem, raise_if_any
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import (
    AccessToken,
    EmailTaken,
    PasswordHasher,
    TokenIssuer,
    UserRepository,
)
from subgraphs.users.usecase.session_ports import IssuedSession
from subgraphs.users.usecase.start_session import StartSession


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    name: str
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Registered:
    user: User
    access_token: AccessToken
    session: IssuedSession


class RegisterUser:
    """Create an account (the email must be unused) and sign in; emits `users.registered`."""

    def __init__(
        self,
        users: UserRepository,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        tokens: TokenIssuer,
        clock: Clock,
        new_id: NewId,
        start_session: StartSession,
    ) -> None:
        self._users = users
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock
        self._new_id = new_id
        self._start_session = start_session

    async def __call__(self, command: Registration) -> Registered:
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
        password_hash = await asyncio.to_thread(self._hasher.hash, command.password)
        user = rules.register(
            user_id=self._new_id(),
            email=email,
            name=name,
            phone=phone,
            password_hash=password_hash,
            now=self._clock(),
        )
        opening = self._start_session.prepare(user.id)

        async def work() -> None:  # the account, its first session and its event: all or none
            await self._users.add(user)
            await self._start_session.save(opening)

        try:
            await self._uow(work, recorded=user)
        except EmailTaken:
            raise DomainError(
                Problem("EMAIL_TAKEN", "An account with this email already exists.", ("email",))
            ) from None
        issued = opening.issued
        return Registered(user, self._tokens.issue(user.id, issued.session_id), issued)
