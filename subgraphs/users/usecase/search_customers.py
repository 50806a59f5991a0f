"""Find customer accounts for staff: email prefix or part of the name."""

from __future__ import annotations

from subgraphs.users.usecase.ports import After, UserPage, UserRepository


class SearchCustomers:
    """Customer accounts whose email starts with the term or whose name contains it, newest
    first. The term comes from `domain.user.search_term` (the transport refuses a blank or
    too long query before asking)."""

    def __init__(self, users: UserRepository) -> None:
        self._users = users

    async def __call__(self, term: str, first: int, after: After | None = None) -> UserPage:
        return await self._users.customers(term, first, after)
