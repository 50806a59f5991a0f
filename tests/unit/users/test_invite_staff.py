"""Invitations: a one-time link in `users.staff_invited`, mailed by notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain.session import token_hash
from tests.unit.users.conftest import World, codes, token_of


async def test_an_invitation_records_its_link_for_the_mail_and_the_activity(world: World):
    admin = await world.make_staff()

    invitation = await world.usecases.staff.invite(admin.user.id, "Kim@Example.com", Role.SUPPORT)

    assert (invitation.email, invitation.role) == ("kim@example.com", Role.SUPPORT)
    assert invitation.expires_at == world.clock.now + timedelta(days=3)
    event = world.uow.events[-1]
    assert event.type == "users.staff_invited"
    payload = dict(event.payload)
    link = payload.pop("invite_url")
    assert link.startswith("http://localhost:3001/accept-invitation?token=")
    assert payload == {
        "user_id": invitation.user_id,
        "actor_id": admin.user.id,
        "reason": None,
        "email": "kim@example.com",
        "role": "support",
        "expires_at": invitation.expires_at.isoformat(),
    }
    # Only the token's hash is kept; the activity record has no link.
    assert list(world.staff_store.invitations) == [token_hash(token_of(link))]
    action = world.staff_store.actions[-1]
    assert (action.action, action.actor_id, action.subject_id) == (
        "users.staff_invited",
        admin.user.id,
        invitation.user_id,
    )
    assert "invite_url" not in action.details


async def test_an_email_with_an_account_or_a_customer_role_is_refused(world: World):
    admin = await world.make_staff()
    await world.sign_up("ann@example.com")
    events = len(world.uow.events)

    with pytest.raises(DomainError) as taken:
        await world.usecases.staff.invite(admin.user.id, "ANN@example.com", Role.SUPPORT)
    with pytest.raises(DomainError) as customer:
        await world.usecases.staff.invite(admin.user.id, "kim@example.com", Role.CUSTOMER)
    with pytest.raises(DomainError) as bad:
        await world.usecases.staff.invite(admin.user.id, "kim", Role.ADMIN)

    assert codes(taken) == [("EMAIL_TAKEN", ("email",))]
    assert codes(customer) == [("INVALID_ROLE", ("role",))]
    assert codes(bad) == [("INVALID_EMAIL", ("email",))]
    assert len(world.uow.events) == events
    assert world.staff_store.invitations == {}
