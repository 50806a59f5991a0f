"""The payments schema: entities, the Order extension, limits from settings."""

from __future__ import annotations

from subgraphs.kernel.settings import GraphQLSettings
from subgraphs.payments.transport.schema import build_schema


def test_payment_is_an_entity_and_order_is_extended_by_key():
    sdl = build_schema().as_str()
    assert 'type Payment @key(fields: "id")' in sdl
    assert 'type Order @key(fields: "id") {\n  id: ID!\n' in sdl
    assert "union _Entity = Order | Payment" in sdl
    assert "enum PaymentStatus {\n  SUCCEEDED\n  FAILED\n  REFUNDED\n}" in sdl


async def test_the_depth_limit_comes_from_settings():
    shallow = build_schema(GraphQLSettings(max_depth=0))
    result = await shallow.execute('{ payment(id: "p") { id } }')
    assert result.errors
    assert "exceeds maximum operation depth" in result.errors[0].message
