"""The users use cases, and the list of those its transport and event consumers call."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.users.usecase.change_password import ChangePassword
from subgraphs.users.usecase.log_out import LogOut
from subgraphs.users.usecase.log_out_everywhere import LogOutEverywhere
from subgraphs.users.usecase.login import LogIn
from subgraphs.users.usecase.read_users import ReadUsers
from subgraphs.users.usecase.refresh_session import RefreshSession
from subgraphs.users.usecase.register import RegisterUser
from subgraphs.users.usecase.request_password_reset import RequestPasswordReset
from subgraphs.users.usecase.reset_password import ResetPassword
from subgraphs.users.usecase.staff_usecases import StaffUseCases
from subgraphs.users.usecase.update_profile import UpdateProfile
from subgraphs.users.usecase.verify_email import ResendVerification, VerifyEmail


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
    verify_email: VerifyEmail
    resend_verification: ResendVerification
    staff: StaffUseCases
