"""Record the staff actions other contexts announce (an order cancelled, a refund decided
or made by staff) in the activity record."""

from __future__ import annotations

from functools import partial

from subgraphs.kernel.core.events import Event
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain.staff import other_action
from subgraphs.users.usecase.staff_ports import StaffStore


class RecordStaffEvent:
    """Handle another context's event: its staff action becomes an activity entry, with the
    event's correlation id; an event no staff member caused is ignored.

    Idempotent per event: the entry and the event's inbox claim are one unit of work, so a
    redelivered event records nothing twice (see `domain.staff.other_action` for the one
    entry of an approved refund request). When `record_other` writes nothing (the entry
    is there already), the unit of work aborts and the claim rolls back with it: harmless,
    as a redelivery writes nothing either.
    """

    def __init__(self, staff: StaffStore, uow: UnitOfWork) -> None:
        self._staff = staff
        self._uow = uow

    async def __call__(self, event: Event) -> None:
        entry = other_action(
            event.id, event.type, event.payload, event.occurred_at, event.correlation_id
        )
        if entry is None or await self._uow.applied(event.id):
            return
        await self._uow(partial(self._staff.record_other, entry), claim=event.id)
