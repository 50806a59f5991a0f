"""Accounts for staff: the customer search, the staff list and the pending invitations."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.cost import connection_size
from subgraphs.kernel.graphql.pagination import Connection, page_size, time_after, time_cursor
from subgraphs.kernel.graphql.public_errors import PublicError
from subgraphs.users.domain.user import SEARCH_MAX, search_term
from subgraphs.users.transport.context import UsersContext
from subgraphs.users.transport.staff import MAX_PAGE, StaffInvitation
from subgraphs.users.transport.types import User
from subgraphs.users.usecase.ports import UserPage

AFTER = "The endCursor of the previous page."


class InvalidSearch(PublicError):
    """A blank or too long search: `BAD_USER_INPUT`, naming the argument (as a bad cursor)."""

    code = "BAD_USER_INPUT"
    default_message = f"Search for 1 to {SEARCH_MAX} characters of an email or a name."

    def __init__(self) -> None:
        super().__init__()
        self.extensions = {"code": self.code, "argument": "query"}


def _users(page: UserPage) -> Connection[User]:
    return Connection.of(
        ((User.from_model(u), time_cursor(u.created_at, u.id)) for u in page.users),
        has_next=page.has_next,
    )


@strawberry.type(description="The account queries for staff (part of `Query`).")
class DirectoryQuery:
    @strawberry.field(
        description="Customer accounts whose email starts with `query` or whose name contains "
        "it (case-insensitive), newest first.",
        extensions=requires_scope(Scope.CUSTOMERS_READ),
        directives=[connection_size()],
    )
    async def customers(
        self,
        info: Info[UsersContext, None],
        query: Annotated[
            str,
            strawberry.argument(
                description=f"The start of an email or part of a name (1 to {SEARCH_MAX} "
                "characters); anything else is `BAD_USER_INPUT`."
            ),
        ],
        first: Annotated[
            int, strawberry.argument(description=f"How many (at most {MAX_PAGE}).")
        ] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[User]:
        term = search_term(query)
        if term is None:
            raise InvalidSearch()
        size, start = page_size(first, MAX_PAGE), time_after(after)
        return _users(await info.context.usecases.staff.search_customers(term, size, start))

    @strawberry.field(
        description="The customer account with exactly this email (case-insensitive, as "
        "accounts are stored); null when no customer account has it.",
        extensions=requires_scope(Scope.CUSTOMERS_READ),
    )
    async def customer_by_email(
        self,
        info: Info[UsersContext, None],
        email: Annotated[str, strawberry.argument(description="The whole email address.")],
    ) -> User | None:
        found = await info.context.usecases.staff.customer_by_email(email)
        return User.from_model(found) if found is not None else None

    @strawberry.field(
        description="Accounts with a staff role, disabled ones included, newest first.",
        extensions=requires_scope(Scope.STAFF_MANAGE),
        directives=[connection_size()],
    )
    async def staff_members(
        self,
        info: Info[UsersContext, None],
        first: Annotated[
            int, strawberry.argument(description=f"How many (at most {MAX_PAGE}).")
        ] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[User]:
        size, start = page_size(first, MAX_PAGE), time_after(after)
        return _users(await info.context.usecases.staff.directory.members(size, start))

    @strawberry.field(
        description="Invitations not accepted yet, expired ones included, newest first.",
        extensions=requires_scope(Scope.STAFF_MANAGE),
        directives=[connection_size()],
    )
    async def staff_invitations(
        self,
        info: Info[UsersContext, None],
        first: Annotated[
            int, strawberry.argument(description=f"How many (at most {MAX_PAGE}).")
        ] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[StaffInvitation]:
        size, start = page_size(first, MAX_PAGE), time_after(after)
        read = await info.context.usecases.staff.directory.invitations(size, start)
        return Connection.of(
            (
                (StaffInvitation.from_model(i, read.now), time_cursor(i.created_at, i.user_id))
                for i in read.page.invitations
            ),
            has_next=read.page.has_next,
        )
