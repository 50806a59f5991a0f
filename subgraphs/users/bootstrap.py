"""The one place the users use cases are wired: ports, clock and ids in, use cases out.

`app.py` passes the MongoDB and Redis adapters; unit tests and the bench
pass in-memory fakes (`testkit.users`).
"""

from __future__ import annotations

from subgraphs.kernel.clock import Clock
from subgraphs.kernel.ids import NewId
from subgraphs.kernel.unit_of_work import UnitOfWork
from subgraphs.users.transport.context import UsersUseCases
from subgraphs.users.usecase.login import LogIn
from subgraphs.users.usecase.ports import LoginThrottle, PasswordHasher, TokenIssuer, UserRepository
from subgraphs.users.usecase.read_users import ReadUsers
from subgraphs.users.usecase.register import RegisterUser
from subgraphs.users.usecase.update_profile import UpdateProfile


def bootstrap(
    *,
    users: UserRepository,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    tokens: TokenIssuer,
    throttle: LoginThrottle,
    clock: Clock,
    new_id: NewId,
) -> UsersUseCases:
    return UsersUseCases(
        register=RegisterUser(users, uow, hasher, tokens, clock, new_id),
        log_in=LogIn(users, hasher, tokens, throttle),
        update_profile=UpdateProfile(users, uow, clock),
        read_users=ReadUsers(users),
    )
