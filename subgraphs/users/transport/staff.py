"""Staff: the second factor of their sign-in, staff management and the activity record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Role as RoleValue
from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.cost import connection_size
from subgraphs.kernel.graphql.pagination import Connection, page_size, time_after, time_cursor
from subgraphs.kernel.graphql.types import MutationPayload, payload
from subgraphs.users.domain.staff import StaffAction as StaffActionModel
from subgraphs.users.domain.staff import StaffInvitation as StaffInvitationModel
from subgraphs.users.transport.context import UsersContext
from subgraphs.users.transport.session_mutations import SignedInPayload, signed_in
from subgraphs.users.transport.types import Role, User
from subgraphs.users.usecase.change_staff_role import StaffChange
from subgraphs.users.usecase.create_staff import NewStaff
from subgraphs.users.usecase.disable_staff import Disabled

MAX_PAGE = 100


@strawberry.input(description="The second step of a staff sign-in.")
class VerifySecondFactorInput:
    challenge: str = strawberry.field(description="`secondFactorChallenge` from `login`.")
    code: str = strawberry.field(
        description="The six digits the authenticator app shows, or a recovery code."
    )


@strawberry.type(description="The result of `verifySecondFactor`: tokens, as `login` answers.")
class VerifySecondFactorPayload(SignedInPayload):
    pass


@strawberry.input(description="Whom to invite as staff.")
class InviteStaffInput:
    email: str = strawberry.field(description="Where the invitation link goes.")
    role: Role = strawberry.field(description="A staff role (not CUSTOMER).")  # type: ignore[valid-type]


@strawberry.type(description="An invitation sent, waiting to be accepted.")
class StaffInvitation:
    email: str = strawberry.field(description="Where the link went.")
    role: Role = strawberry.field(description="The role the account will have.")  # type: ignore[valid-type]
    expires_at: datetime = strawberry.field(description="When the link stops working.")
    created_at: datetime = strawberry.field(description="When it was sent.")
    expired: bool = strawberry.field(
        description="Whether the link had stopped working when this was read (invite again)."
    )
    invited_by_id: strawberry.Private[str]

    @classmethod
    def from_model(cls, invitation: StaffInvitationModel, now: datetime) -> StaffInvitation:
        return cls(
            email=invitation.email,
            role=invitation.role,
            expires_at=invitation.expires_at,
            created_at=invitation.created_at,
            expired=not invitation.usable(now),
            invited_by_id=invitation.invited_by,
        )

    @strawberry.field(description="The admin who sent it.")
    async def invited_by(self, info: Info[UsersContext, None]) -> User | None:
        return await _user(info, self.invited_by_id)


@strawberry.type(description="The result of `inviteStaff`.")
class InviteStaffPayload(MutationPayload):
    invitation: StaffInvitation | None = strawberry.field(
        default=None, description="The invitation mailed; null on userErrors."
    )


@strawberry.input(description="An invitation's token and the new staff account's details.")
class AcceptStaffInvitationInput:
    token: str = strawberry.field(description="The token from the invitation link.")
    password: str = strawberry.field(description="8 to 128 characters.")
    name: str = strawberry.field(description="The name to go by.")


@strawberry.type(description="The result of `acceptStaffInvitation`; shown once, never again.")
class AcceptStaffInvitationPayload(MutationPayload):
    user: User | None = strawberry.field(default=None, description="The new staff account.")
    totp_enrolment_uri: str | None = strawberry.field(
        default=None,
        description="`otpauth://...`: add it to an authenticator app (as a QR code); its "
        "codes are the second factor of every sign-in. Shown only here.",
    )
    recovery_codes: list[str] | None = strawberry.field(
        default=None,
        description="Ten codes, each usable once instead of an app code. Shown only here.",
    )


@strawberry.input(description="A staff member's new role, and why.")
class ChangeStaffRoleInput:
    user_id: strawberry.ID = strawberry.field(description="The staff account.")
    role: Role = strawberry.field(description="A staff role (not CUSTOMER).")  # type: ignore[valid-type]
    reason: str = strawberry.field(description="Why (kept in the activity record).")


@strawberry.type(description="The result of `changeStaffRole`.")
class ChangeStaffRolePayload(MutationPayload):
    user: User | None = strawberry.field(default=None, description="The account, changed.")


@strawberry.input(description="The staff account to disable, and why.")
class DisableStaffInput:
    user_id: strawberry.ID = strawberry.field(description="The staff account.")
    reason: str = strawberry.field(description="Why (kept in the activity record).")


@strawberry.type(description="The result of `disableStaff`.")
class DisableStaffPayload(MutationPayload):
    user: User | None = strawberry.field(default=None, description="The account, disabled.")
    revoked_sessions: int = strawberry.field(
        default=0, description="How many of its sessions were live and are now ended."
    )


@strawberry.type(description="A name and a value.")
class StaffActionDetail:
    name: str = strawberry.field(description="What it is (e.g. `role`, `from`, `to`).")
    value: str = strawberry.field(description="Its value.")


@strawberry.type(description="One thing a staff member (or the command line) did.")
class StaffAction:
    id: strawberry.ID = strawberry.field(description="The entry's identifier.")
    action: str = strawberry.field(
        description="What was done: the event's type (e.g. `users.staff_disabled`)."
    )
    actor_id: strawberry.ID | None = strawberry.field(
        description="Who did it; null for the command line."
    )
    subject_id: strawberry.ID | None = strawberry.field(
        description="What was acted upon: an account (`users.*`), an order "
        "(`orders.cancelled`, `payments.refunded`) or a refund request "
        "(`payments.refund_approved`, `payments.refund_declined`); `details` name the order. "
        "A product's sku (`catalog.product_changed`, `stock.adjusted`)."
    )
    reason: str | None = strawberry.field(description="Why, as the actor wrote it.")
    details: list[StaffActionDetail] = strawberry.field(description="What else it changed.")
    occurred_at: datetime = strawberry.field(description="When.")
    correlation_id: str | None = strawberry.field(
        description="The request's correlation id (find it in the logs and traces)."
    )

    @classmethod
    def from_model(cls, action: StaffActionModel) -> StaffAction:
        return cls(
            id=strawberry.ID(action.id),
            action=action.action,
            actor_id=strawberry.ID(action.actor_id) if action.actor_id else None,
            subject_id=strawberry.ID(action.subject_id) if action.subject_id else None,
            reason=action.reason,
            details=[StaffActionDetail(name=k, value=v) for k, v in sorted(action.details.items())],
            occurred_at=action.occurred_at,
            correlation_id=action.correlation_id,
        )

    @strawberry.field(description="The actor's account; null for the command line.")
    async def actor(self, info: Info[UsersContext, None]) -> User | None:
        return await _user(info, self.actor_id)

    @strawberry.field(description="The account acted upon; null when the subject is no account.")
    async def subject(self, info: Info[UsersContext, None]) -> User | None:
        return await _user(info, self.subject_id)


async def _user(info: Info[UsersContext, None], user_id: str | None) -> User | None:
    if user_id is None:
        return None
    user = await info.context.users_by_id.load(str(user_id))
    return User.from_model(user) if user else None


def _role(value: object) -> RoleValue:
    return RoleValue(str(getattr(value, "value", value)))


def _new_staff(done: NewStaff) -> AcceptStaffInvitationPayload:
    return AcceptStaffInvitationPayload(
        user=User.from_model(done.user, is_caller=True),
        totp_enrolment_uri=done.enrolment_uri,
        recovery_codes=list(done.recovery_codes),
    )


def _disabled(done: Disabled) -> DisableStaffPayload:
    return DisableStaffPayload(
        user=User.from_model(done.user), revoked_sessions=done.revoked_sessions
    )


@strawberry.type(description="The staff mutations (part of `Mutation`).")
class StaffMutation:
    @strawberry.mutation(
        description="Finish a staff sign-in: the challenge `login` answered and a code from "
        "the authenticator app (or a recovery code). Answers the tokens."
    )
    async def verify_second_factor(
        self,
        info: Info[UsersContext, None],
        input: Annotated[
            VerifySecondFactorInput, strawberry.argument(description="Challenge and code.")
        ],
    ) -> VerifySecondFactorPayload:
        return await payload(
            VerifySecondFactorPayload,
            info.context.usecases.staff.verify_second_factor(input.challenge, input.code),
            lambda done: VerifySecondFactorPayload(
                **signed_in(done.user, done.access_token, done.session)
            ),
        )

    @strawberry.mutation(
        description="Invite someone to become staff: a one-time link by mail.",
        extensions=requires_scope(Scope.STAFF_MANAGE),
    )
    async def invite_staff(
        self,
        info: Info[UsersContext, None],
        input: Annotated[InviteStaffInput, strawberry.argument(description="Email and role.")],
    ) -> InviteStaffPayload:
        principal = await info.context.auth.require()
        return await payload(
            InviteStaffPayload,
            info.context.usecases.staff.invite(principal.user_id, input.email, _role(input.role)),
            lambda done: InviteStaffPayload(
                invitation=StaffInvitation.from_model(done, done.created_at)
            ),
        )

    @strawberry.mutation(
        description="Accept a staff invitation (no sign-in needed): the account is made and "
        "its second factor enrolled. The link works once."
    )
    async def accept_staff_invitation(
        self,
        info: Info[UsersContext, None],
        input: Annotated[
            AcceptStaffInvitationInput, strawberry.argument(description="Token and details.")
        ],
    ) -> AcceptStaffInvitationPayload:
        return await payload(
            AcceptStaffInvitationPayload,
            info.context.usecases.staff.accept_invitation(input.token, input.password, input.name),
            _new_staff,
        )

    @strawberry.mutation(
        description="Give a staff member another staff role; it takes effect at their next "
        "refresh.",
        extensions=requires_scope(Scope.STAFF_MANAGE),
    )
    async def change_staff_role(
        self,
        info: Info[UsersContext, None],
        input: Annotated[
            ChangeStaffRoleInput, strawberry.argument(description="Account, role, reason.")
        ],
    ) -> ChangeStaffRolePayload:
        principal = await info.context.auth.require()
        change = StaffChange(principal.user_id, str(input.user_id), input.reason)
        return await payload(
            ChangeStaffRolePayload,
            info.context.usecases.staff.change_role(change, _role(input.role)),
            lambda user: ChangeStaffRolePayload(user=User.from_model(user)),
        )

    @strawberry.mutation(
        description="Disable a staff account: it cannot sign in, and its sessions and access "
        "tokens stop working at once.",
        extensions=requires_scope(Scope.STAFF_MANAGE),
    )
    async def disable_staff(
        self,
        info: Info[UsersContext, None],
        input: Annotated[DisableStaffInput, strawberry.argument(description="Account, reason.")],
    ) -> DisableStaffPayload:
        principal = await info.context.auth.require()
        change = StaffChange(principal.user_id, str(input.user_id), input.reason)
        return await payload(
            DisableStaffPayload, info.context.usecases.staff.disable(change), _disabled
        )


@strawberry.type(description="The staff queries (part of `Query`).")
class StaffQuery:
    @strawberry.field(
        description="What staff did (invitations, roles changed, accounts disabled, orders "
        "cancelled, refunds decided or made), newest first.",
        extensions=requires_scope(Scope.ACTIVITY_READ),
        directives=[connection_size()],
    )
    async def staff_activity(
        self,
        info: Info[UsersContext, None],
        first: Annotated[
            int, strawberry.argument(description=f"How many entries (at most {MAX_PAGE}).")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
        actor_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only what this staff member did."),
        ] = None,
    ) -> Connection[StaffAction]:
        size = page_size(first, MAX_PAGE)
        actor = str(actor_id) if actor_id is not None else None
        page = await info.context.usecases.staff.read_activity(size, time_after(after), actor)
        return Connection.of(
            ((StaffAction.from_model(a), time_cursor(a.occurred_at, a.id)) for a in page.actions),
            has_next=page.has_next,
        )
