"""The users use cases, wired by the users bootstrap to in-memory fakes of their ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.bootstrap import StaffWiring, bootstrap
from subgraphs.users.domain.second_factor import STEP_SECONDS, code_at, time_step
from subgraphs.users.domain.session import Session
from subgraphs.users.usecase import UsersUseCases
from subgraphs.users.usecase.create_staff import NewStaff
from subgraphs.users.usecase.login import SecondFactorRequired, SignedIn
from subgraphs.users.usecase.register import Registration
from subgraphs.users.usecase.throttles import Throttles
from testkit.kernel import FakeTime, InMemoryUnitOfWork, SequentialIds
from testkit.staff import InMemorySecondFactors, InMemoryStaff, in_memory_staff
from testkit.user_sessions import (
    RESET_POLICY,
    SESSION_POLICY,
    InMemoryDenyList,
    InMemoryPasswords,
    InMemorySessions,
    Postponed,
)
from testkit.users import (
    VERIFICATION_POLICY,
    CountingLimit,
    CountingTokens,
    InMemoryBackoff,
    InMemoryUsers,
    InMemoryVerifications,
    ReversingHasher,
    in_memory_throttles,
)

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "password-1"


@dataclass
class World:
    users: InMemoryUsers
    session_store: InMemorySessions
    password_store: InMemoryPasswords
    uow: InMemoryUnitOfWork
    later: Postponed
    clock: FakeTime
    tokens: CountingTokens
    throttles: Throttles
    usecases: UsersUseCases
    deny_list: InMemoryDenyList
    staff: StaffWiring

    @property
    def factors(self) -> InMemorySecondFactors:
        assert isinstance(self.staff.second_factors, InMemorySecondFactors)
        return self.staff.second_factors

    @property
    def staff_store(self) -> InMemoryStaff:
        assert isinstance(self.staff.store, InMemoryStaff)
        return self.staff.store

    @property
    def backoff(self) -> InMemoryBackoff:
        assert isinstance(self.throttles.sign_in_by_account, InMemoryBackoff)
        return self.throttles.sign_in_by_account

    def limit(self, name: str) -> CountingLimit:
        limit = getattr(self.throttles, name)
        assert isinstance(limit, CountingLimit)
        return limit

    @property
    def sessions(self) -> dict[str, Session]:
        return self.session_store.by_id

    async def sign_up(self, email: str = "ann@example.com", phone: str | None = None) -> SignedIn:
        """Register, then sign in (registering never does)."""
        await self.usecases.register(Registration(email, PASSWORD, "Ann", phone))
        return signed_in(await self.usecases.log_in(email, PASSWORD))

    async def make_staff(
        self, email: str = "sam@example.com", role: Role = Role.ADMIN, name: str = "Sam"
    ) -> NewStaff:
        """A staff account as the command line makes it."""
        return await self.usecases.staff.create(email, PASSWORD, name, role)

    def totp(self, made: NewStaff, at: datetime | None = None) -> str:
        """The code the staff member's authenticator app shows now (or `at`)."""
        return totp_from_uri(made.enrolment_uri, at or self.clock())

    async def challenge(self, email: str = "sam@example.com") -> str:
        done = await self.usecases.log_in(email, PASSWORD)
        assert isinstance(done, SecondFactorRequired), "tokens without a second factor"
        return done.challenge

    async def staff_sign_in(self, made: NewStaff) -> SignedIn:
        """Password, then the app's code; the clock moves on a step, so each code is new."""
        challenge = await self.challenge(made.user.email)
        done = await self.usecases.staff.verify_second_factor(challenge, self.totp(made))
        self.clock.now += timedelta(seconds=STEP_SECONDS)
        return done

    async def forgot(self, email: str) -> None:
        """Ask for a reset link, then let the work done after answering run."""
        await self.usecases.request_password_reset(email)
        await self.later.drain()


@pytest.fixture
def world() -> World:
    users, clock, uow = InMemoryUsers(), FakeTime(START), InMemoryUnitOfWork("users")
    sessions, passwords, later = InMemorySessions(), InMemoryPasswords(users), Postponed()
    tokens, throttles = CountingTokens(), in_memory_throttles(clock)
    verifications = InMemoryVerifications(users)
    deny_list = InMemoryDenyList()
    staff = in_memory_staff(users)
    usecases = bootstrap(
        users=users,
        sessions=sessions,
        deny_list=deny_list,
        passwords=passwords,
        verifications=verifications,
        uow=uow,
        hasher=ReversingHasher(),
        tokens=tokens,
        throttles=throttles,
        later=later,
        session_policy=SESSION_POLICY,
        reset_policy=RESET_POLICY,
        verification_policy=VERIFICATION_POLICY,
        staff=staff,
        clock=clock,
        new_id=SequentialIds(),
    )
    return World(
        users, sessions, passwords, uow, later, clock, tokens, throttles, usecases, deny_list, staff
    )


def signed_in(done: SignedIn | SecondFactorRequired) -> SignedIn:
    """A sign-in that answered tokens (a customer's)."""
    assert isinstance(done, SignedIn), "a second factor was asked for"
    return done


def totp_from_uri(uri: str, at: datetime) -> str:
    """The TOTP code of an `otpauth://` URI's secret at `at` (as an authenticator app does)."""
    [secret] = parse_qs(urlsplit(uri).query)["secret"]
    return code_at(secret, time_step(at))


def code(error: pytest.ExceptionInfo[DomainError]) -> str:
    [problem] = error.value.problems
    return problem.code


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.code, p.field) for p in error.value.problems]


async def refused(world: World, token: str) -> str:
    """The error code refreshing with `token` fails with."""
    with pytest.raises(DomainError) as error:
        await world.usecases.refresh_session(token)
    return code(error)


def reset_events(world: World) -> list[dict[str, str]]:
    return [dict(e.payload) for e in world.uow.events if e.type == "users.password_reset_requested"]


def token_of(link: str) -> str:
    [token] = parse_qs(urlsplit(link).query)["token"]
    return token
