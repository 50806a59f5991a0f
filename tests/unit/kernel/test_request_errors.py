"""Errors in the request itself (variables that do not fit) are client errors, never masked."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension

from subgraphs.kernel.graphql.schema import build_federated_schema


@strawberry.type
class Query:
    @strawberry.field
    def echo(self, text: str, amount: Decimal | None = None) -> str:
        return text


class BrokenExtension(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        raise KeyError("internal-secret-key")


SCHEMA = build_federated_schema(query=Query)
BROKEN = build_federated_schema(query=Query, extra_extensions=[BrokenExtension])


def only_error(result: Any) -> Any:
    assert result.errors, "expected errors"
    [error] = result.errors
    return error


async def test_a_null_required_variable_is_bad_user_input() -> None:
    result = await SCHEMA.execute(
        "query($t: String!) { echo(text: $t) }", variable_values={"t": None}
    )
    error = only_error(result)
    assert error.extensions == {"code": "BAD_USER_INPUT"}
    assert error.message.startswith("Variable '$t'")


async def test_a_scalar_parser_failing_is_bad_user_input_without_its_exception_text() -> None:
    result = await SCHEMA.execute(
        'query($a: Decimal) { echo(text: "x", amount: $a) }', variable_values={"a": "ten"}
    )
    error = only_error(result)
    assert error.extensions == {"code": "BAD_USER_INPUT"}
    assert error.message.startswith("Variable '$a'")
    assert '"ten"' in error.message
    assert "class" not in error.message  # Decimal's "[<class 'decimal.ConversionSyntax'>]"


async def test_a_broken_extension_stays_masked() -> None:
    result = await BROKEN.execute('{ echo(text: "x") }')
    error = only_error(result)
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert "internal-secret-key" not in error.message
