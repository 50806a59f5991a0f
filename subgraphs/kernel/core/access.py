"""Roles and the scopes they grant: the one list every context and the gateway read.

An account has one `Role`. A staff role grants scopes (OAuth-style strings)
that the users subgraph writes, space-separated, into the access token's
`scope` claim; customers get none. Staff-only fields declare the scope they
need (`@requiresScopes` in the schema) and every subgraph checks it again
itself (`subgraphs.kernel.graphql.auth.RequestAuth.require_scope`).

Scopes name a permission over everyone's data, never the caller's own:
a customer reads their own orders without any scope.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "customer"
    SUPPORT = "support"
    CATALOG = "catalog"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        return self is not Role.CUSTOMER


class Scope(StrEnum):
    ORDERS_READ_ANY = "orders:read:any"
    """Read any customer's orders, their payments and the mails sent for them."""
    ORDERS_CANCEL_ANY = "orders:cancel:any"
    """Cancel any customer's unpaid order (with a reason)."""
    CUSTOMERS_READ = "customers:read"
    """Find customers by email or name; see their email and phone."""
    REFUNDS_DECIDE = "refunds:decide"
    """Approve or decline refund requests; refund a payment."""
    CATALOG_WRITE = "catalog:write"
    """Create and edit products; adjust stock."""
    STAFF_MANAGE = "staff:manage"
    """Invite staff, change their roles, disable accounts."""
    ACTIVITY_READ = "activity:read"
    """Read the record of every staff action."""


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.CUSTOMER: frozenset(),
    Role.SUPPORT: frozenset(
        {
            Scope.ORDERS_READ_ANY,
            Scope.ORDERS_CANCEL_ANY,
            Scope.CUSTOMERS_READ,
            Scope.REFUNDS_DECIDE,
        }
    ),
    Role.CATALOG: frozenset({Scope.CATALOG_WRITE}),
    Role.ADMIN: frozenset(Scope),
}


def scope_claim(role: Role) -> str:
    """The access token's `scope` claim for a role: its scopes, sorted, space-separated."""
    return " ".join(sorted(ROLE_SCOPES[role]))


def scopes_from_claim(claim: object) -> frozenset[str]:
    """The scopes a token's `scope` claim grants (anything but a string grants none)."""
    if not isinstance(claim, str):
        return frozenset()
    return frozenset(claim.split())
