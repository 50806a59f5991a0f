"""What staff read about accounts: the customer search, the staff list, the invitations not
accepted yet, and when each account last signed in."""

from __future__ import annotations

from datetime import timedelta

from subgraphs.kernel.core.access import Role
from subgraphs.users.domain.user import SEARCH_MAX, search_term
from subgraphs.users.usecase.register import Registration
from tests.unit.users.conftest import PASSWORD, World


async def customer(world: World, email: str, name: str) -> str:
    world.clock.now += timedelta(seconds=1)
    await world.usecases.register(Registration(email, PASSWORD, name, None))
    user = await world.users.find_by_email(email)
    assert user is not None
    return user.id


def test_a_search_is_trimmed_and_lower_case_and_refused_blank_or_too_long():
    assert search_term("  Ann   Lee ") == "ann lee"
    assert search_term("   ") is None
    assert search_term("x" * (SEARCH_MAX + 1)) is None


async def test_customers_are_found_by_email_prefix_or_name_part_newest_first(world: World):
    ann = await customer(world, "ann@example.com", "Ann Lee")
    bob = await customer(world, "bob@shop.test", "Bob Annanov")
    await customer(world, "carl@example.com", "Carl")
    await world.make_staff("anna@example.com")  # staff are no customers

    search = world.usecases.staff.search_customers
    assert [u.id for u in (await search("ann", 10)).users] == [bob, ann]
    assert [u.id for u in (await search("bob@s", 10)).users] == [bob]
    # An email matches from its start only.
    assert (await search("example.com", 10)).users == []

    first = await search("ann", 1)
    assert ([u.id for u in first.users], first.has_next) == ([bob], True)
    rest = await search("ann", 1, (first.users[0].created_at, first.users[0].id))
    assert ([u.id for u in rest.users], rest.has_next) == ([ann], False)


async def test_the_staff_list_holds_every_staff_account_disabled_ones_too(world: World):
    await customer(world, "ann@example.com", "Ann")
    admin = await world.make_staff("ada@example.com")
    world.clock.now += timedelta(seconds=1)
    sam = await world.make_staff("sam@example.com", Role.SUPPORT)
    await world.staff_store.disable(sam.user.id, world.clock())

    page = await world.usecases.staff.directory.members(10)

    assert [u.id for u in page.users] == [sam.user.id, admin.user.id]
    assert page.users[0].disabled_at is not None


async def test_invitations_not_accepted_are_listed_expired_ones_marked(world: World):
    admin = await world.make_staff("ada@example.com")
    old = await world.usecases.staff.invite(admin.user.id, "old@example.com", Role.SUPPORT)
    world.clock.now += timedelta(days=3, seconds=1)  # `old` has expired
    new = await world.usecases.staff.invite(admin.user.id, "new@example.com", Role.CATALOG)

    read = await world.usecases.staff.directory.invitations(10)

    assert [i.email for i in read.page.invitations] == [new.email, old.email]
    assert [i.usable(read.now) for i in read.page.invitations] == [True, False]
    assert read.page.invitations[0].invited_by == admin.user.id


async def test_a_sign_in_records_when_it_completed(world: World):
    signed_up = await world.sign_up("ann@example.com")
    assert signed_up.user.last_sign_in_at == world.clock.now
    world.clock.now += timedelta(hours=1)
    again = await world.usecases.log_in("ann@example.com", PASSWORD)
    [stored] = await world.users.get_many([signed_up.user.id])
    assert stored is not None
    assert stored.last_sign_in_at == world.clock.now
    assert again.user.last_sign_in_at == world.clock.now  # type: ignore[union-attr]

    # Staff: the password alone is no sign-in; the second factor completes it.
    made = await world.make_staff()
    await world.challenge(made.user.email)
    [staff] = await world.users.get_many([made.user.id])
    assert staff is not None
    assert staff.last_sign_in_at is None
    done = await world.staff_sign_in(made)
    [staff] = await world.users.get_many([made.user.id])
    assert staff is not None
    assert staff.last_sign_in_at == done.user.last_sign_in_at
    assert staff.last_sign_in_at is not None
