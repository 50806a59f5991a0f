"""Make a staff account: on the command line (the first admin), or from an invitation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.correlation import correlation_id
from subgraphs.kernel.core.errors import DomainError, raise_if_any
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import staff as rules_of_staff
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.second_factor import Enrolment, enrol
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import EmailTaken, PasswordHasher, UserRepository
from subgraphs.users.usecase.staff_ports import SecondFactors, StaffStore

EMAIL_TAKEN = "EMAIL_TAKEN"


@dataclass(frozen=True, slots=True)
class NewStaff:
    """A staff account just made, and what its owner is shown once: the URI to put in an
    authenticator app (`otpauth://...`) and the recovery codes."""

    user: User
    enrolment_uri: str
    recovery_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StaffEnrolment:
    """A staff account about to be saved, with its second factor."""

    user: User
    enrolment: Enrolment

    def shown(self) -> NewStaff:
        return NewStaff(self.user, self.enrolment.uri, self.enrolment.recovery_codes)


async def prepare_staff(
    hasher: PasswordHasher,
    clock: Clock,
    *,
    user_id: str,
    email: str,
    password: str,
    name: str,
    role: Role,
) -> StaffEnrolment:
    """A checked staff account (`userErrors` for a bad password or name) and its enrolment."""
    name = rules.clean_name(name)
    raise_if_any([*rules.password_problems(password), *rules.name_problems(name)])
    password_hash = await asyncio.to_thread(hasher.hash, password)
    user = rules_of_staff.staff_account(
        user_id=user_id, email=email, name=name, password_hash=password_hash, role=role, now=clock()
    )
    return StaffEnrolment(user, enrol(user.id, user.email))


@dataclass(frozen=True, slots=True)
class StaffAccountPorts:
    """What making a staff account writes to, and with."""

    users: UserRepository
    factors: SecondFactors
    staff: StaffStore
    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock
    new_id: NewId


def email_taken() -> DomainError:
    return DomainError.of(EMAIL_TAKEN, "An account has this email already.", "email")


class CreateStaff:
    """Make a staff account with a verified address and an enrolled second factor.

    For the command line, which is how the first admin comes to be (nobody is
    there to invite them); records `users.staff_created` without an actor.
    """

    def __init__(self, ports: StaffAccountPorts) -> None:
        self._ports = ports

    async def __call__(self, email: str, password: str, name: str, role: Role) -> NewStaff:
        p = self._ports
        email = rules.normalize_email(email)
        raise_if_any([*rules.email_problems(email), *rules_of_staff.role_problems(role)])
        made = await prepare_staff(
            p.hasher,
            p.clock,
            user_id=p.new_id(),
            email=email,
            password=password,
            name=name,
            role=role,
        )
        recorded = rules_of_staff.record(
            p.new_id(),
            rules_of_staff.STAFF_CREATED,
            actor_id=None,
            subject_id=made.user.id,
            reason="made on the command line",
            details={"email": email, "role": role.value},
            now=made.user.created_at,
            correlation_id=correlation_id.get(),
        )

        async def work() -> None:
            await p.users.add(made.user)
            await p.factors.add(made.enrolment.factor)
            await p.staff.record(recorded.action)

        try:
            await p.uow(work, recorded=recorded)
        except EmailTaken:
            raise email_taken() from None
        return made.shown()
