"""Users queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.graphql.types import query_root
from subgraphs.users.transport.context import UsersContext
from subgraphs.users.transport.directory import DirectoryQuery
from subgraphs.users.transport.staff import StaffQuery
from subgraphs.users.transport.types import User


@query_root
class Query(StaffQuery, DirectoryQuery):
    @strawberry.field(description="The signed-in user; null without a token.")
    async def me(self, info: Info[UsersContext, None]) -> User | None:
        principal = await info.context.auth.principal()
        if principal is None:
            return None
        [user] = await info.context.usecases.read_users([principal.user_id])
        # The token proved who the caller is: their own email and phone need no second look.
        return User.from_model(user, is_caller=True) if user else None

    @strawberry.field(description="A user by id, for signed-in callers.")
    async def user(
        self,
        info: Info[UsersContext, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The user's identifier.")],
    ) -> User | None:
        await info.context.auth.require()
        user = await info.context.users_by_id.load(str(id))
        return User.from_model(user) if user else None
