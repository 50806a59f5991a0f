"""Invite someone to become staff: a one-time link by mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.correlation import correlation_id
from subgraphs.kernel.core.errors import raise_if_any
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import staff as rules_of_staff
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.session import new_token, token_hash
from subgraphs.users.domain.staff import StaffInvitation
from subgraphs.users.usecase.create_staff import email_taken
from subgraphs.users.usecase.ports import UserRepository
from subgraphs.users.usecase.session_ports import TokenMaker
from subgraphs.users.usecase.staff_ports import StaffStore


@dataclass(frozen=True, slots=True)
class InvitationPolicy:
    link_base: str  # the back office's page that accepts; `?token=...` is added
    lifetime: timedelta


class InviteStaff:
    """An admin invites `email` as `role`: records `users.staff_invited` with the link
    (`<link_base>?token=...`, working once until it expires), which the notifications
    context mails. An email that has an account is `EMAIL_TAKEN`; an email with a pending
    invitation is invited again, the older invitation superseded (its link answers
    `INVALID_INVITATION`, as a used one)."""

    def __init__(
        self,
        users: UserRepository,
        staff: StaffStore,
        uow: UnitOfWork,
        policy: InvitationPolicy,
        clock: Clock,
        new_id: NewId,
        make_token: TokenMaker = new_token,
    ) -> None:
        self._users = users
        self._staff = staff
        self._uow = uow
        self._policy = policy
        self._clock = clock
        self._new_id = new_id
        self._make_token = make_token

    async def __call__(self, actor_id: str, email: str, role: Role) -> StaffInvitation:
        email = rules.normalize_email(email)
        raise_if_any([*rules.email_problems(email), *rules_of_staff.role_problems(role)])
        if await self._users.find_by_email(email) is not None:
            raise email_taken()
        token = self._make_token()
        invitation = rules_of_staff.invitation(
            token_hash=token_hash(token),
            user_id=self._new_id(),
            email=email,
            role=role,
            invited_by=actor_id,
            now=self._clock(),
            lifetime=self._policy.lifetime,
        )
        recorded = rules_of_staff.record(
            self._new_id(),
            rules_of_staff.STAFF_INVITED,
            actor_id=actor_id,
            subject_id=invitation.user_id,
            reason=None,
            details={
                "email": email,
                "role": role.value,
                "expires_at": invitation.expires_at.isoformat(),
            },
            now=invitation.created_at,
            correlation_id=correlation_id.get(),
            extra={"invite_url": rules_of_staff.invitation_link(self._policy.link_base, token)},
        )

        async def work() -> None:
            # Inviting again replaces the email's pending invitation: its link stops working.
            await self._staff.supersede_invitations(email, invitation.created_at)
            await self._staff.add_invitation(invitation)
            await self._staff.record(recorded.action)

        await self._uow(work, recorded=recorded)
        return invitation
