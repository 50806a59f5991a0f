"""Find customer accounts for staff: email prefix or part of the name, or one exact email."""

from __future__ import annotations

from subgraphs.users.domain import user as rules
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import After, UserPage, UserRepository


class SearchCustomers:
    """Customer accounts whose email starts with the term or whose name contains it, newest
    first. The term comes from `domain.user.search_term` (the transport refuses a blank or
    too long query before asking)."""

    def __init__(self, users: UserRepository) -> None:
        self._users = users

    async def __call__(self, term: str, first: int, after: After | None = None) -> UserPage:
        return await self._users.customers(term, first, after)


class FindCustomerByEmail:
    """The customer account with exactly this email (normalised as accounts store it, so
    case and surrounding spaces do not matter), read on the unique email index; None when
    no account has it or it is a staff account's."""

    def __init__(self, users: UserRepository) -> None:
        self._users = users

    async def __call__(self, email: str) -> User | None:
        user = await self._users.find_by_email(rules.normalize_email(email))
        return user if user is not None and not user.role.is_staff else None
