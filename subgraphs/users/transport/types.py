"""GraphQL types of the users subgraph: a mapping layer over the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Role as RoleValue
from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.enums import described_enum
from subgraphs.users.domain.user import User as UserModel
from subgraphs.users.transport.context import UsersContext

Role = described_enum(
    RoleValue,
    name="Role",
    description="What an account may do: a customer's own things, or a staff role's scopes.",
    values={
        "CUSTOMER": "A shopper (every account made by `register`).",
        "SUPPORT": "Staff: reads every order and customer, cancels unpaid orders, decides refunds.",
        "CATALOG": "Staff: edits products and stock.",
        "ADMIN": "Staff: everything, and manages staff and reads their activity.",
    },
)


@strawberry.federation.type(keys=["id"], description="A registered user.")
class User:
    id: strawberry.ID = strawberry.field(description="The user's identifier.")
    name: str = strawberry.field(description="The name the user goes by.")
    created_at: datetime = strawberry.field(description="When the account was created.")
    model: strawberry.Private[UserModel]
    # True where the caller has just proven to be this user (register, login).
    is_caller: strawberry.Private[bool] = False

    @classmethod
    def from_model(cls, user: UserModel, *, is_caller: bool = False) -> User:
        return cls(
            id=strawberry.ID(user.id),
            name=user.name,
            created_at=user.created_at,
            model=user,
            is_caller=is_caller,
        )

    @strawberry.field(
        description="Visible to the user and to staff with `customers:read`; null for anyone else."
    )
    async def email(self, info: Info[UsersContext, None]) -> str | None:
        return self.model.email if await self._visible_to(info, Scope.CUSTOMERS_READ) else None

    @strawberry.field(
        description="Visible to the user and to staff with `customers:read`; null for anyone else."
    )
    async def phone(self, info: Info[UsersContext, None]) -> str | None:
        return self.model.phone if await self._visible_to(info, Scope.CUSTOMERS_READ) else None

    @strawberry.field(
        description="The account's role; visible to the user and to staff with "
        "`staff:manage`, null for anyone else."
    )
    async def role(self, info: Info[UsersContext, None]) -> Role | None:  # type: ignore[valid-type]
        return self.model.role if await self._visible_to(info, Scope.STAFF_MANAGE) else None

    @strawberry.field(
        description="When the account was disabled (staff only; it cannot sign in); visible "
        "to staff with `staff:manage`, null otherwise."
    )
    async def disabled_at(self, info: Info[UsersContext, None]) -> datetime | None:
        principal = await info.context.auth.principal()
        if principal is None or not principal.has_scope(Scope.STAFF_MANAGE):
            return None
        return self.model.disabled_at

    @strawberry.field(
        description="When the account last signed in (a customer's `login`, a staff member's "
        "`verifySecondFactor`); visible to the user and to staff with `staff:manage`, null "
        "for anyone else."
    )
    async def last_sign_in_at(self, info: Info[UsersContext, None]) -> datetime | None:
        if not await self._visible_to(info, Scope.STAFF_MANAGE):
            return None
        return self.model.last_sign_in_at

    @strawberry.field(
        description="Whether the user opened the link mailed to verify the address; null for "
        "anyone else."
    )
    async def email_verified(self, info: Info[UsersContext, None]) -> bool | None:
        if not await self._visible_to(info):
            return None
        return self.model.email_verified_at is not None

    async def _visible_to(self, info: Info[UsersContext, None], scope: Scope | None = None) -> bool:
        """The caller is this user, or holds `scope` (when given)."""
        if self.is_caller:
            return True
        principal = await info.context.auth.principal()
        if principal is None:
            return False
        return principal.user_id == self.model.id or (
            scope is not None and principal.has_scope(scope)
        )

    @classmethod
    async def resolve_references(
        cls, info: Info[UsersContext, None], keys: list[dict[str, Any]]
    ) -> list[User | None]:
        """Users referenced by other subgraphs, for signed-in callers (as `user(id)`), in one read
        (it is the batch: no DataLoader needed)."""
        await info.context.auth.require()
        users = await info.context.usecases.read_users([str(key["id"]) for key in keys])
        return [cls.from_model(user) if user else None for user in users]

    @classmethod
    async def resolve_reference(
        cls, info: Info[UsersContext, None], id: strawberry.ID
    ) -> User | None:
        """One reference, as stock Strawberry asks (the kernel calls `resolve_references`)."""
        await info.context.auth.require()
        user = await info.context.users_by_id.load(str(id))
        return cls.from_model(user) if user else None
