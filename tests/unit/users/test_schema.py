"""The users schema applies the kernel's configured limits."""

from __future__ import annotations

from subgraphs.kernel.settings import GraphQLSettings
from subgraphs.users.transport.schema import build_schema


async def test_the_depth_limit_comes_from_settings():
    shallow = build_schema(GraphQLSettings(max_depth=0))
    result = await shallow.execute("{ me { id } }")
    assert result.errors
    assert "exceeds maximum operation depth" in result.errors[0].message


async def test_the_user_entity_is_keyed_by_id():
    sdl = build_schema().as_str()
    assert 'type User @key(fields: "id")' in sdl
    assert "union _Entity = User" in sdl
