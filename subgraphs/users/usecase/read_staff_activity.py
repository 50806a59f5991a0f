"""Read the record of staff actions, newest first."""

from __future__ import annotations

from datetime import datetime

from subgraphs.users.usecase.staff_ports import ActivityPage, StaffStore


class ReadStaffActivity:
    """A page of the activity record: who did what to which account, order or refund
    request, when, why, and the correlation id of the request."""

    def __init__(self, staff: StaffStore) -> None:
        self._staff = staff

    async def __call__(
        self, first: int, after: tuple[datetime, str] | None = None, actor_id: str | None = None
    ) -> ActivityPage:
        """Newest first; only `actor_id`'s actions when given."""
        return await self._staff.activity(first, after, actor_id)
