"""The kernel's schema policy: masking, limits, and caches that really hit."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from graphql import GraphQLError

from subgraphs.kernel.core.errors import NotAllowed, NotSignedIn
from subgraphs.kernel.graphql.public_errors import Forbidden
from subgraphs.kernel.graphql.schema import build_federated_schema
from subgraphs.kernel.process.settings import GraphQLSettings


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
        secrets: dict[str, str] = {}
        return secrets["secret-key"]

    @strawberry.field
    def forbidden(self) -> str:
        raise Forbidden()

    @strawberry.field
    def not_allowed(self) -> str:
        raise NotAllowed()

    @strawberry.field
    def not_signed_in(self) -> str:
        raise NotSignedIn()


SETTINGS = GraphQLSettings(max_depth=4, max_aliases=3)
SCHEMA = build_federated_schema(query=Query, settings=SETTINGS)


def errors(result: Any) -> list[GraphQLError]:
    assert result.errors, "expected errors"
    found: list[GraphQLError] = result.errors
    return found


def code(error: GraphQLError) -> str:
    return str((error.extensions or {}).get("code"))


async def test_unexpected_errors_are_masked_with_a_code():
    result = await SCHEMA.execute("{ broken }")
    [error] = errors(result)
    assert error.message == "Internal server error."
    assert "secret-key" not in error.message
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}


async def test_public_errors_keep_their_message_and_code():
    result = await SCHEMA.execute("{ forbidden }")
    [error] = errors(result)
    assert error.extensions == {"code": "FORBIDDEN"}
    assert error.message == "You are not allowed to do this."


async def test_depth_over_the_limit_is_a_validation_error():
    result = await SCHEMA.execute("{ node { child { child { child { child { name } } } } } }")
    [error] = errors(result)
    assert "exceeds maximum operation depth" in error.message
    assert code(error) == "GRAPHQL_VALIDATION_FAILED"


async def test_too_many_aliases_is_a_validation_error():
    result = await SCHEMA.execute(
        "{ a: node { name } b: node { name } c: node { name } d: node { name } }"
    )
    assert "aliases" in errors(result)[0].message


async def test_unknown_fields_and_syntax_errors_carry_codes():
    [unknown] = errors(await SCHEMA.execute("{ nope }"))
    [syntax] = errors(await SCHEMA.execute("{ node { "))
    assert code(unknown) == "GRAPHQL_VALIDATION_FAILED"
    assert code(syntax) == "GRAPHQL_PARSE_FAILED"


async def test_repeated_operations_hit_the_validation_cache():
    assert SCHEMA.document_cache is not None
    parse, validate = SCHEMA.document_cache.parse, SCHEMA.document_cache.validate
    query = "{ node { child { name } } }"
    await SCHEMA.execute(query)
    before = parse.cache_info(), validate.cache_info()
    for _ in range(5):
        assert (await SCHEMA.execute(query)).errors is None
    after = parse.cache_info(), validate.cache_info()
    assert [a.hits - b.hits for a, b in zip(after, before, strict=True)] == [5, 5]
    assert [a.misses - b.misses for a, b in zip(after, before, strict=True)] == [0, 0]


async def test_a_cached_invalid_operation_is_refused_every_time():
    query = "{ node { child { child { child { child { name } } } } } }"
    for _ in range(3):
        [error] = errors(await SCHEMA.execute(query))
        assert code(error) == "GRAPHQL_VALIDATION_FAILED"


async def test_a_document_over_the_token_limit_is_refused_before_it_is_cached():
    schema = build_federated_schema(
        query=Query, settings=GraphQLSettings(max_tokens=20, document_cache_size=4)
    )
    assert schema.document_cache is not None
    wide = "{ " + " ".join(f"a{n}: node {{ name }}" for n in range(5)) + " }"
    for _ in range(2):
        [error] = errors(await schema.execute(wide))
        assert code(error) == "GRAPHQL_PARSE_FAILED"
        assert "tokens" in error.message
    assert schema.document_cache.parse.cache_info().currsize == 0


async def test_the_document_cache_is_bounded():
    schema = build_federated_schema(query=Query, settings=GraphQLSettings(document_cache_size=3))
    assert schema.document_cache is not None
    for n in range(6):
        assert (await schema.execute(f"query Q{n} {{ node {{ name }} }}")).errors is None
    assert schema.document_cache.parse.cache_info().currsize == 3
    assert schema.document_cache.validate.cache_info().currsize == 3


async def test_introspection_can_be_turned_off():
    closed = build_federated_schema(query=Query, settings=SETTINGS, introspection=False)
    assert errors(await closed.execute("{ __schema { queryType { name } } }"))
    assert (await closed.execute("{ _service { sdl } }")).errors is None


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def forbidden(self) -> AsyncGenerator[int, None]:
        raise Forbidden()
        yield 1  # pragma: no cover


async def test_a_public_error_raised_by_a_subscription_keeps_its_code():
    schema = build_federated_schema(query=Query, subscription=Subscription, settings=SETTINGS)
    results = await schema.subscribe("subscription { forbidden }")
    [result] = [r async for r in results]
    assert [e.extensions for e in errors(result)] == [{"code": "FORBIDDEN"}]


async def test_access_errors_of_use_cases_become_graphql_codes_not_masked_errors():
    result = await SCHEMA.execute("{ notAllowed }")
    [error] = errors(result)
    assert (error.message, error.extensions) == (
        "You are not allowed to do this.",
        {"code": "FORBIDDEN"},
    )
    result = await SCHEMA.execute("{ notSignedIn }")
    [error] = errors(result)
    assert (error.message, error.extensions) == (
        "Authentication required.",
        {"code": "UNAUTHENTICATED"},
    )
