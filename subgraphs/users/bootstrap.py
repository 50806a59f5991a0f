"""The one place the users use cases are wired: ports, clock and ids in, use cases out.

`app.py` passes the MongoDB and Redis adapters; unit tests and the bench
pass in-memory fakes (`testkit.users`, `testkit.user_sessions`).
"""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain.second_factor import SecondFactorPolicy
from subgraphs.users.domain.session import SessionPolicy
from subgraphs.users.usecase import UsersUseCases
from subgraphs.users.usecase.accept_staff_invitation import AcceptStaffInvitation
from subgraphs.users.usecase.change_password import ChangePassword
from subgraphs.users.usecase.change_staff_role import ChangeStaffRole
from subgraphs.users.usecase.create_staff import CreateStaff, StaffAccountPorts
from subgraphs.users.usecase.disable_staff import DisableStaff
from subgraphs.users.usecase.invite_staff import InvitationPolicy, InviteStaff
from subgraphs.users.usecase.log_out import LogOut
from subgraphs.users.usecase.log_out_everywhere import LogOutEverywhere
from subgraphs.users.usecase.login import LogIn, SecondFactorGate
from subgraphs.users.usecase.ports import (
    EmailVerifications,
    PasswordHasher,
    TokenIssuer,
    UserRepository,
)
from subgraphs.users.usecase.read_staff_activity import ReadStaffActivity
from subgraphs.users.usecase.read_staff_directory import ReadStaffDirectory
from subgraphs.users.usecase.read_users import ReadUsers
from subgraphs.users.usecase.record_staff_event import RecordStaffEvent
from subgraphs.users.usecase.refresh_session import RefreshSession
from subgraphs.users.usecase.register import RegisterUser
from subgraphs.users.usecase.request_password_reset import RequestPasswordReset, ResetPolicy
from subgraphs.users.usecase.reset_password import ResetPassword
from subgraphs.users.usecase.search_customers import FindCustomerByEmail, SearchCustomers
from subgraphs.users.usecase.session_ports import (
    Later,
    PasswordStore,
    SessionDenyList,
    SessionRepository,
)
from subgraphs.users.usecase.staff_ports import SecondFactors, StaffStore
from subgraphs.users.usecase.staff_usecases import StaffUseCases
from subgraphs.users.usecase.start_session import StartSession
from subgraphs.users.usecase.throttles import BackoffGate, Throttles
from subgraphs.users.usecase.update_profile import UpdateProfile
from subgraphs.users.usecase.verify_email import (
    ResendVerification,
    StartVerification,
    VerificationPolicy,
    VerifyEmail,
)
from subgraphs.users.usecase.verify_second_factor import VerifySecondFactor


@dataclass(frozen=True, slots=True)
class StaffWiring:
    """The staff ports and rules: second factors (and sign-in challenges), invitations and
    the activity record, the second factor's lock and an invitation's link."""

    second_factors: SecondFactors
    store: StaffStore
    second_factor_policy: SecondFactorPolicy
    invitation_policy: InvitationPolicy


def bootstrap(
    *,
    users: UserRepository,
    sessions: SessionRepository,
    deny_list: SessionDenyList,
    passwords: PasswordStore,
    verifications: EmailVerifications,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    tokens: TokenIssuer,
    throttles: Throttles,
    later: Later,
    session_policy: SessionPolicy,
    reset_policy: ResetPolicy,
    verification_policy: VerificationPolicy,
    staff: StaffWiring,
    clock: Clock,
    new_id: NewId,
) -> UsersUseCases:
    """`throttles` count sign-up, sign-in (login, changePassword) and reset requests per
    client address and per account; `later` runs what a request does after answering;
    `deny_list` makes the access tokens of revoked sessions refused everywhere; `staff`
    holds what staff sign-ins and staff management need."""
    start_session = StartSession(users, sessions, uow, session_policy, clock, new_id)
    sign_in_gate = BackoffGate(throttles.sign_in_by_account)
    start_verification = StartVerification(verification_policy, clock)
    factors, policy = staff.second_factors, staff.second_factor_policy
    gate = SecondFactorGate(factors, policy, clock)
    accounts = StaffAccountPorts(users, factors, staff.store, uow, hasher, clock, new_id)
    return UsersUseCases(
        register=RegisterUser(
            users, uow, hasher, clock, new_id, throttles, verifications, start_verification
        ),
        log_in=LogIn(users, hasher, tokens, throttles, start_session, gate),
        update_profile=UpdateProfile(users, uow, clock),
        read_users=ReadUsers(users),
        refresh_session=RefreshSession(
            sessions, users, uow, tokens, session_policy, clock, deny_list
        ),
        log_out=LogOut(sessions, uow, clock, deny_list),
        log_out_everywhere=LogOutEverywhere(sessions, uow, clock, deny_list),
        change_password=ChangePassword(
            users, passwords, sessions, uow, hasher, sign_in_gate, clock, deny_list
        ),
        request_password_reset=RequestPasswordReset(
            users, passwords, uow, throttles, later, reset_policy, clock
        ),
        reset_password=ResetPassword(users, passwords, sessions, uow, hasher, clock, deny_list),
        verify_email=VerifyEmail(users, verifications, uow, clock),
        resend_verification=ResendVerification(
            users, verifications, uow, start_verification, throttles
        ),
        staff=StaffUseCases(
            verify_second_factor=VerifySecondFactor(
                users, factors, tokens, start_session, policy, clock
            ),
            create=CreateStaff(accounts),
            invite=InviteStaff(users, staff.store, uow, staff.invitation_policy, clock, new_id),
            accept_invitation=AcceptStaffInvitation(accounts),
            change_role=ChangeStaffRole(users, staff.store, uow, clock, new_id),
            disable=DisableStaff(users, staff.store, sessions, uow, clock, new_id, deny_list),
            read_activity=ReadStaffActivity(staff.store),
            record_event=RecordStaffEvent(staff.store, uow),
            directory=ReadStaffDirectory(users, staff.store, clock),
            search_customers=SearchCustomers(users),
            customer_by_email=FindCustomerByEmail(users),
        ),
    )
