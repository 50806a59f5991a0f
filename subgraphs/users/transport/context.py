"""The users request context: the caller, the use cases and per-request DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from subgraphs.kernel.context import RequestContext
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.change_password import ChangePassword
from subgraphs.users.usecase.log_out import LogOut
from subgraphs.users.usecase.log_out_everywhere import LogOutEverywhere
from subgraphs.users.usecase.login import LogIn
from subgraphs.users.usecase.read_users import ReadUsers
from subgraphs.users.usecase.refresh_session import RefreshSession
from subgraphs.users.usecase.register import RegisterUser
from subgraphs.users.usecase.request_password_reset import RequestPasswordReset
from subgraphs.users.usecase.reset_password import ResetPassword
from subgraphs.users.usecase.update_profile import UpdateProfile


@dataclass(frozen=True)
class UsersUseCases:
    register: RegisterUser
    log_in: LogIn
    update_profile: UpdateProfile
    read_users: ReadUsers
    refresh_session: RefreshSession
    log_out: LogOut
    log_out_everywhere: LogOutEverywhere
    change_password: ChangePassword
    request_password_reset: RequestPasswordReset
    reset_password: ResetPassword


@dataclass(kw_only=True)
class UsersContext(RequestContext):
    usecases: UsersUseCases
    users_by_id: DataLoader[str, User | None] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.users_by_id = DataLoader(load_fn=self.usecases.read_users)
