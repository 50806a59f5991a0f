"""The notifications context wired to in-memory fakes, and the users event it most often needs."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.events import Event
from testkit.notifications import Context


@pytest.fixture
def world() -> Context:
    return Context()


def registered(world: Context, user_id: str = "u-1", phone: str | None = None) -> Event:
    """`users.registered` for `user_id`, whose address is `<user_id>@example.com`."""
    payload = {"user_id": user_id, "email": f"{user_id}@example.com", "name": "Ann", "phone": phone}
    return world.event("users.registered", payload)
