"""Accept a staff invitation: the account is made, its second factor enrolled."""

from __future__ import annotations

from subgraphs.kernel.core.correlation import correlation_id
from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain import staff as rules_of_staff
from subgraphs.users.domain.session import plausible_token, token_hash
from subgraphs.users.usecase.create_staff import (
    NewStaff,
    StaffAccountPorts,
    email_taken,
    prepare_staff,
)
from subgraphs.users.usecase.ports import EmailTaken

INVALID_INVITATION = "INVALID_INVITATION"


class AcceptStaffInvitation:
    """Spend an invitation's token with a password and a name: the staff account is made
    (the invited email, verified; the invited role), and the TOTP enrolment URI and the
    recovery codes are answered, once. A token unknown, used or expired is
    `INVALID_INVITATION`. Records `users.staff_invitation_accepted`; signing in is
    then `login` and `verifySecondFactor`."""

    def __init__(self, ports: StaffAccountPorts) -> None:
        self._ports = ports

    async def __call__(self, token: str, password: str, name: str) -> NewStaff:
        p = self._ports
        hashed = token_hash(token) if plausible_token(token) else None
        invitation = await p.staff.find_invitation(hashed) if hashed else None
        if hashed is None or invitation is None or not invitation.usable(p.clock()):
            raise _invalid()
        made = await prepare_staff(
            p.hasher,
            p.clock,
            user_id=invitation.user_id,
            email=invitation.email,
            password=password,
            name=name,
            role=invitation.role,
        )
        recorded = rules_of_staff.record(
            p.new_id(),
            rules_of_staff.STAFF_INVITATION_ACCEPTED,
            actor_id=made.user.id,
            subject_id=made.user.id,
            reason=None,
            details={
                "email": invitation.email,
                "role": invitation.role.value,
                "invited_by": invitation.invited_by,
            },
            now=made.user.created_at,
            correlation_id=correlation_id.get(),
        )

        async def work() -> bool:
            # Consumed first: of two acceptances with one token, one gets further.
            if not await p.staff.consume_invitation(hashed, made.user.created_at):
                return False
            # The email has an account now: its other invitations are spent too.
            await p.staff.supersede_invitations(invitation.email, made.user.created_at, keep=hashed)
            await p.users.add(made.user)
            await p.factors.add(made.enrolment.factor)
            await p.staff.record(recorded.action)
            return True

        try:
            accepted = await p.uow(work, recorded=recorded)
        except EmailTaken:  # an account with this email was made after the invitation
            raise email_taken() from None
        if not accepted:
            raise _invalid()
        return made.shown()


def _invalid() -> DomainError:
    return DomainError.of(
        INVALID_INVITATION,
        "This invitation link is invalid, used or expired; ask an admin for a new one.",
        "token",
    )
