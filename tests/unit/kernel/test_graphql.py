"""The kernel's schema policy: masking, limits, and caches that really hit."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ValidationCache

from subgraphs.kernel.errors import Forbidden
from subgraphs.kernel.graphql import build_federated_schema
from subgraphs.kernel.settings import GraphQLSettings


@strawberry.type
class Node:
    name: str = "n"

    @strawberry.field
    def child(self) -> Node:
        return Node()


@strawberry.type
class Query:
    @strawberry.field
    def node(self) -> Node:
        return Node()

    @strawberry.field
    def broken(self) -> str:
        return {}["secret-key"]  # type: ignore[no-any-return]

    @strawberry.field
    def forbidden(self) -> str:
        raise Forbidden()


SETTINGS = GraphQLSettings(max_depth=4, max_aliases=3)
SCHEMA = build_federated_schema(query=Query, settings=SETTINGS)


async def test_unexpected_errors_are_masked_with_a_code():
    result = await SCHEMA.execute("{ broken }")
    [error] = result.errors
    assert error.message == "Internal server error."
    assert "secret-key" not in error.message
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}


async def test_public_errors_keep_their_message_and_code():
    result = await SCHEMA.execute("{ forbidden }")
    [error] = result.errors
    assert error.extensions == {"code": "FORBIDDEN"}
    assert error.message == "You are not allowed to do this."


async def test_depth_over_the_limit_is_a_validation_error():
    result = await SCHEMA.execute("{ node { child { child { child { child { name } } } } } }")
    [error] = result.errors
    assert "exceeds maximum operation depth" in error.message
    assert error.extensions["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_too_many_aliases_is_a_validation_error():
    result = await SCHEMA.execute(
        "{ a: node { name } b: node { name } c: node { name } d: node { name } }"
    )
    assert result.errors
    assert "aliases" in result.errors[0].message


async def test_unknown_fields_and_syntax_errors_carry_codes():
    [unknown] = (await SCHEMA.execute("{ nope }")).errors
    [syntax] = (await SCHEMA.execute("{ node { ")).errors
    assert unknown.extensions["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert syntax.extensions["code"] == "GRAPHQL_PARSE_FAILED"


async def test_repeated_operations_hit_the_validation_cache():
    validate = ValidationCache(maxsize=SETTINGS.document_cache_size).cached_validate_document
    query = "{ node { child { name } } }"
    await SCHEMA.execute(query)
    before = validate.cache_info()
    for _ in range(5):
        assert (await SCHEMA.execute(query)).errors is None
    after = validate.cache_info()
    assert after.hits - before.hits == 5
    assert after.misses == before.misses


async def test_introspection_can_be_turned_off():
    closed = build_federated_schema(query=Query, settings=SETTINGS, introspection=False)
    result = await closed.execute("{ __schema { queryType { name } } }")
    assert result.errors
    assert (await closed.execute("{ _service { sdl } }")).errors is None
