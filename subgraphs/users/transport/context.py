"""The users request context: the caller, the use cases and per-request DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from subgraphs.kernel.context import RequestContext
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.login import LogIn
from subgraphs.users.usecase.read_users import ReadUsers
from subgraphs.users.usecase.register import RegisterUser
from subgraphs.users.usecase.update_profile import UpdateProfile


@dataclass(frozen=True)
class UsersUseCases:
    register: RegisterUser
    log_in: LogIn
    update_profile: UpdateProfile
    read_users: ReadUsers


@dataclass(kw_only=True)
class UsersContext(RequestContext):
    usecases: UsersUseCases
    users_by_id: DataLoader[str, User | None] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.users_by_id = DataLoader(load_fn=self.usecases.read_users)
