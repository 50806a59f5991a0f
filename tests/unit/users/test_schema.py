"""The users schema keys its entities by id."""

from __future__ import annotations

from subgraphs.users.transport.schema import build_schema
from tests.unit.sdl import without_descriptions


async def test_the_user_entity_is_keyed_by_id():
    sdl = without_descriptions(build_schema().as_str())
    assert 'type User @key(fields: "id")' in sdl
    assert "union _Entity = User" in sdl
