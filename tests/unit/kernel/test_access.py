"""Roles, scopes and the scope check every subgraph runs itself."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.access import ROLE_SCOPES, Role, Scope, scope_claim, scopes_from_claim
from subgraphs.kernel.graphql.auth import RequestAuth
from subgraphs.kernel.graphql.public_errors import Forbidden, Unauthenticated
from tests.unit.kernel.test_auth import VERIFIER, claims, sign


def test_customers_get_no_scope_and_admins_every_scope():
    assert scope_claim(Role.CUSTOMER) == ""
    assert scopes_from_claim(scope_claim(Role.ADMIN)) == {s.value for s in Scope}
    assert not Role.CUSTOMER.is_staff
    assert all(role.is_staff for role in Role if role is not Role.CUSTOMER)


def test_every_scope_is_granted_by_some_staff_role_and_support_cannot_manage_staff():
    granted = set().union(*ROLE_SCOPES.values())
    assert granted == set(Scope)
    assert Scope.STAFF_MANAGE not in ROLE_SCOPES[Role.SUPPORT]
    assert ROLE_SCOPES[Role.CATALOG] == {Scope.CATALOG_WRITE}


@pytest.mark.parametrize("claim", [None, 7, ["orders:read:any"], {"orders:read:any": True}])
def test_a_scope_claim_that_is_not_a_string_grants_nothing(claim: object):
    assert scopes_from_claim(claim) == frozenset()


async def test_require_scope_passes_holders_and_refuses_the_others():
    holder = RequestAuth(VERIFIER, lambda: sign(claims(scope=scope_claim(Role.SUPPORT))))
    assert (await holder.require_scope(Scope.REFUNDS_DECIDE)).user_id == "user-1"
    with pytest.raises(Forbidden):
        await holder.require_scope(Scope.STAFF_MANAGE)
    customer = RequestAuth(VERIFIER, lambda: sign(claims()))
    with pytest.raises(Forbidden):
        await customer.require_scope(Scope.ORDERS_READ_ANY)
    anonymous = RequestAuth(VERIFIER, lambda: None)
    with pytest.raises(Unauthenticated):
        await anonymous.require_scope(Scope.ORDERS_READ_ANY)
