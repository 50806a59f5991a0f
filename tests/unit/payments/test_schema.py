"""The payments schema: entities and the Order extension."""

from __future__ import annotations

from subgraphs.payments.transport.schema import build_schema
from tests.unit.sdl import without_descriptions


def test_payment_is_an_entity_and_order_is_extended_by_key():
    sdl = without_descriptions(build_schema().as_str())
    assert 'type Payment @key(fields: "id")' in sdl
    assert 'type Order @key(fields: "id") {\n  id: ID!\n' in sdl
    assert "union _Entity = Order | Payment" in sdl
    assert "enum PaymentStatus {\n  SUCCEEDED\n  FAILED\n  REFUNDED\n}" in sdl
