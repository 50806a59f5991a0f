"""Accepting an invitation makes the staff account once; a used or expired link is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.usecase.login import SecondFactorRequired
from tests.unit.users.conftest import PASSWORD, World, codes, token_of


async def invited(world: World, email: str = "kim@example.com") -> str:
    """The token of a fresh invitation's link."""
    admin = await world.make_staff()
    await world.usecases.staff.invite(admin.user.id, email, Role.CATALOG)
    return token_of(world.uow.events[-1].payload["invite_url"])


async def test_accepting_makes_the_invited_account_and_shows_its_second_factor_once(
    world: World,
):
    token = await invited(world)
    invitation = next(iter(world.staff_store.invitations.values()))

    made = await world.usecases.staff.accept_invitation(token, PASSWORD, " Kim  Lee ")

    assert made.user.id == invitation.user_id  # the id the invitation mail was for
    assert (made.user.email, made.user.name, made.user.role) == (
        "kim@example.com",
        "Kim Lee",
        Role.CATALOG,
    )
    assert made.user.email_verified_at is not None
    assert made.enrolment_uri.startswith("otpauth://totp/")
    assert len(made.recovery_codes) == 10
    event = world.uow.events[-1]
    assert (event.type, event.payload["invited_by"]) == (
        "users.staff_invitation_accepted",
        invitation.invited_by,
    )
    # Signing in now asks for the second factor, which the enrolment gave.
    assert isinstance(
        await world.usecases.log_in("kim@example.com", PASSWORD), SecondFactorRequired
    )
    signed_in = await world.staff_sign_in(made)
    assert signed_in.user.id == made.user.id


async def test_a_link_used_twice_is_refused_and_writes_nothing(world: World):
    token = await invited(world)
    await world.usecases.staff.accept_invitation(token, PASSWORD, "Kim")
    events, users = len(world.uow.events), len(world.users.by_id)

    with pytest.raises(DomainError) as again:
        await world.usecases.staff.accept_invitation(token, "another-password", "Kim")

    assert codes(again) == [("INVALID_INVITATION", ("token",))]
    assert (len(world.uow.events), len(world.users.by_id)) == (events, users)


async def test_an_expired_link_is_refused(world: World):
    token = await invited(world)
    world.clock.now += timedelta(days=3)

    with pytest.raises(DomainError) as expired:
        await world.usecases.staff.accept_invitation(token, PASSWORD, "Kim")

    assert codes(expired) == [("INVALID_INVITATION", ("token",))]
    assert world.users.find_by_email is not None
    assert await world.users.find_by_email("kim@example.com") is None


@pytest.mark.parametrize("token", ["", "made-up", "x" * 300])
async def test_an_unknown_link_is_refused(world: World, token):
    with pytest.raises(DomainError) as unknown:
        await world.usecases.staff.accept_invitation(token, PASSWORD, "Kim")
    assert codes(unknown) == [("INVALID_INVITATION", ("token",))]


async def test_a_weak_password_or_no_name_keeps_the_link_usable(world: World):
    token = await invited(world)

    with pytest.raises(DomainError) as bad:
        await world.usecases.staff.accept_invitation(token, "short", "  ")

    assert codes(bad) == [("PASSWORD_TOO_SHORT", ("password",)), ("NAME_REQUIRED", ("name",))]
    made = await world.usecases.staff.accept_invitation(token, PASSWORD, "Kim")
    assert made.user.email == "kim@example.com"


async def test_accepting_spends_the_emails_other_invitations(world: World):
    token = await invited(world)
    [first] = world.staff_store.invitations.values()
    # Another invitation of the email the re-invite did not see (two admins at once).
    other = replace(first, token_hash="other-hash", user_id="other-id")
    world.staff_store.invitations[other.token_hash] = other
    unrelated = replace(first, token_hash="third-hash", email="lee@example.com")
    world.staff_store.invitations[unrelated.token_hash] = unrelated

    made = await world.usecases.staff.accept_invitation(token, PASSWORD, "Kim")

    stored = world.staff_store.invitations
    assert stored[other.token_hash].used_at == made.user.created_at
    assert stored[unrelated.token_hash].used_at is None


async def test_inviting_again_supersedes_the_pending_invitation(world: World):
    older = await invited(world)
    admin = await world.make_staff("ada@example.com")
    await world.usecases.staff.invite(admin.user.id, "KIM@example.com", Role.SUPPORT)
    newer = token_of(world.uow.events[-1].payload["invite_url"])

    with pytest.raises(DomainError) as superseded:
        await world.usecases.staff.accept_invitation(older, PASSWORD, "Kim")
    made = await world.usecases.staff.accept_invitation(newer, PASSWORD, "Kim")

    assert codes(superseded) == [("INVALID_INVITATION", ("token",))]
    assert made.user.role == Role.SUPPORT
