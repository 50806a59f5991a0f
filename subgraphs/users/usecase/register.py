"""Register a new user with email, password, name and an optional phone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import raise_if_any
from subgraphs.kernel.core.events import DomainEvent
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.user import User
from subgraphs.users.domain.verification import Recording
from subgraphs.users.usecase.ports import (
    AccessToken,
    EmailTaken,
    EmailVerifications,
    PasswordHasher,
    TokenIssuer,
    UserRepository,
)
from subgraphs.users.usecase.session_ports import IssuedSession
from subgraphs.users.usecase.start_session import StartSession
from subgraphs.users.usecase.throttles import Throttles, enforce
from subgraphs.users.usecase.verify_email import StartVerification


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    name: str
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Registered:
    """The new account, signed in; all None when the email was taken (nothing else says so)."""

    user: User | None = None
    access_token: AccessToken | None = None
    session: IssuedSession | None = None


class RegisterUser:
    """Create an account and sign in; emits `users.registered` and
    `users.email_verification_requested` (the link that verifies the address).

    Counted per client address and per email (`RATE_LIMITED` past either
    limit). A taken email gets no error: the answer has no error either way
    (only a new account's has tokens), the password is hashed either way, and
    the address's owner is told by mail (`users.sign_up_attempted`).
    """

    def __init__(
        self,
        users: UserRepository,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        tokens: TokenIssuer,
        clock: Clock,
        new_id: NewId,
        start_session: StartSession,
        throttles: Throttles,
        verifications: EmailVerifications,
        start_verification: StartVerification,
    ) -> None:
        self._users = users
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock
        self._new_id = new_id
        self._start_session = start_session
        self._throttles = throttles
        self._verifications = verifications
        self._start_verification = start_verification

    async def __call__(self, command: Registration, client: str = "unknown") -> Registered:
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
        opening = self._start_session.prepare(user.id)
        link = self._start_verification(user)

        async def work() -> None:  # the account, its session, its link, their events: all or none
            await self._users.add(user)
            await self._start_session.save(opening)
            await self._verifications.add(link)

        try:
            await self._uow(work, recorded=Recording((*user.events, *link.events)))
        except EmailTaken:
            await self._tell_owner(email)
            return Registered()
        issued = opening.issued
        return Registered(user, self._tokens.issue(user.id, issued.session_id), issued)

    async def _tell_owner(self, email: str) -> None:
        owner = await self._users.find_by_email(email)
        if owner is None:  # deleted in between: nobody to tell
            return
        payload = {"user_id": owner.id, "email": owner.email}
        attempt = Recording((DomainEvent(rules.SIGN_UP_ATTEMPTED, payload, self._clock()),))

        async def nothing() -> None:  # the event is the whole change
            return None

        await self._uow(nothing, recorded=attempt)
