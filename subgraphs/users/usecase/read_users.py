"""Read users by id, in batches (DataLoaders and entity resolution)."""

from __future__ import annotations

from collections.abc import Sequence

from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import UserRepository


class ReadUsers:
    """Users by id, in the order asked, None where there is none."""

    def __init__(self, users: UserRepository) -> None:
        self._users = users

    async def __call__(self, ids: Sequence[str]) -> list[User | None]:
        return await self._users.get_many(ids)
