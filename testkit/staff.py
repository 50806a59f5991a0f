"""In-memory fakes of the users staff ports: second factors, invitations, the activity record."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from subgraphs.kernel.core.access import Role
from subgraphs.users.bootstrap import StaffWiring
from subgraphs.users.domain.second_factor import SecondFactor, SecondFactorPolicy, SignInChallenge
from subgraphs.users.domain.staff import OtherAction, StaffAction, StaffInvitation
from subgraphs.users.usecase.invite_staff import InvitationPolicy
from subgraphs.users.usecase.staff_ports import ActivityPage, InvitationPage
from testkit.users import InMemoryUsers

SECOND_FACTOR_POLICY = SecondFactorPolicy(
    max_failures=5, lock=timedelta(minutes=15), challenge_lifetime=timedelta(minutes=5)
)
INVITATION_POLICY = InvitationPolicy("http://localhost:3001/accept-invitation", timedelta(days=3))


class InMemorySecondFactors:
    def __init__(self) -> None:
        self.factors: dict[str, SecondFactor] = {}
        self.challenges: dict[str, SignInChallenge] = {}

    async def add(self, factor: SecondFactor) -> None:
        self.factors[factor.user_id] = factor

    async def get(self, user_id: str) -> SecondFactor | None:
        return self.factors.get(user_id)

    async def use_step(self, user_id: str, step: int) -> bool:
        factor = self.factors[user_id]
        if factor.last_step >= step:
            return False
        self.factors[user_id] = replace(factor, last_step=step)
        return True

    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        factor = self.factors[user_id]
        if code_hash not in factor.recovery_hashes:
            return False
        self.factors[user_id] = replace(
            factor, recovery_hashes=factor.recovery_hashes - {code_hash}
        )
        return True

    async def save_failures(self, factor: SecondFactor) -> None:
        current = self.factors[factor.user_id]
        self.factors[factor.user_id] = replace(
            current, failures=factor.failures, locked_until=factor.locked_until
        )

    async def add_challenge(self, challenge: SignInChallenge) -> None:
        self.challenges[challenge.token_hash] = challenge

    async def find_challenge(self, token_hash: str) -> SignInChallenge | None:
        return self.challenges.get(token_hash)

    async def consume_challenge(self, token_hash: str) -> bool:
        return self.challenges.pop(token_hash, None) is not None


class InMemoryStaff:
    """Invitations and the activity record here; roles and the disabled mark in the users fake."""

    def __init__(self, users: InMemoryUsers) -> None:
        self._users = users
        self.invitations: dict[str, StaffInvitation] = {}
        self.actions: list[StaffAction] = []

    async def add_invitation(self, invitation: StaffInvitation) -> None:
        self.invitations[invitation.token_hash] = invitation

    async def find_invitation(self, token_hash: str) -> StaffInvitation | None:
        return self.invitations.get(token_hash)

    async def consume_invitation(self, token_hash: str, now: datetime) -> bool:
        invitation = self.invitations.get(token_hash)
        if invitation is None or not invitation.usable(now):
            return False
        self.invitations[token_hash] = replace(invitation, used_at=now)
        return True

    async def supersede_invitations(
        self, email: str, now: datetime, *, keep: str | None = None
    ) -> None:
        for token_hash, invitation in list(self.invitations.items()):
            if invitation.email == email and invitation.used_at is None and token_hash != keep:
                self.invitations[token_hash] = replace(invitation, used_at=now)

    async def set_role(self, user_id: str, role: Role, now: datetime, *, expected: Role) -> bool:
        user = self._users.by_id.get(user_id)
        if user is None or user.role is not expected or user.disabled_at is not None:
            return False
        self._users.by_id[user_id] = replace(user, role=role, updated_at=now)
        return True

    async def disable(self, user_id: str, now: datetime) -> bool:
        user = self._users.by_id.get(user_id)
        if user is None or user.disabled_at is not None:
            return False
        self._users.by_id[user_id] = replace(user, disabled_at=now, updated_at=now)
        return True

    async def record(self, action: StaffAction) -> None:
        self.actions.append(action)

    async def record_other(self, entry: OtherAction) -> bool:
        stored = [a for a in self.actions if a.id == entry.action.id]
        if stored and not entry.supersedes:
            return False
        self.actions = [a for a in self.actions if a.id != entry.action.id] + [entry.action]
        return True

    async def activity(
        self, first: int, after: tuple[datetime, str] | None = None, actor_id: str | None = None
    ) -> ActivityPage:
        ordered = sorted(self.actions, key=lambda a: (a.occurred_at, a.id), reverse=True)
        if actor_id is not None:
            ordered = [a for a in ordered if a.actor_id == actor_id]
        if after is not None:
            ordered = [a for a in ordered if (a.occurred_at, a.id) < after]
        return ActivityPage(ordered[:first], has_next=len(ordered) > first)

    async def pending_invitations(
        self, first: int, after: tuple[datetime, str] | None = None
    ) -> InvitationPage:
        pending = [i for i in self.invitations.values() if i.used_at is None]
        ordered = sorted(pending, key=lambda i: (i.created_at, i.user_id), reverse=True)
        if after is not None:
            ordered = [i for i in ordered if (i.created_at, i.user_id) < after]
        return InvitationPage(ordered[:first], has_next=len(ordered) > first)


def in_memory_staff(users: InMemoryUsers) -> StaffWiring:
    return StaffWiring(
        second_factors=InMemorySecondFactors(),
        store=InMemoryStaff(users),
        second_factor_policy=SECOND_FACTOR_POLICY,
        invitation_policy=INVITATION_POLICY,
    )
