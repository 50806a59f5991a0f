"""The shared GraphQL pieces: mutation payloads with `userErrors`, and generic connections."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.core.errors import DomainError, Problem, retryable
from subgraphs.kernel.graphql.pagination import Connection
from subgraphs.kernel.graphql.types import MutationPayload, mutation_root, payload, query_root


@strawberry.type
class Thing:
    name: str


@strawberry.type(description="The result of `makeThing`.")
class MakeThingPayload(MutationPayload):
    thing: Thing | None = None


async def make(name: str) -> Thing:
    if name == "busy":
        raise retryable("BUSY", "Try again shortly.", "name")
    if not name:
        raise DomainError(Problem("NAME_REQUIRED", "A name is required.", ("name",)))
    return Thing(name=name)


@query_root
class Query:
    @strawberry.field
    def things(self, first: int = 10) -> Connection[Thing]:
        names = ["a", "b", "c"]
        return Connection.of(
            ((Thing(name=n), f"cursor-{n}") for n in names[:first]), has_next=first < 3
        )


@mutation_root
class Mutation:
    @strawberry.mutation
    async def make_thing(self, name: str) -> MakeThingPayload:
        return await payload(MakeThingPayload, make(name), lambda t: MakeThingPayload(thing=t))


schema = strawberry.federation.Schema(query=Query, mutation=Mutation)
MAKE = """mutation($n: String!) {
  makeThing(name: $n) { thing { name } userErrors { field code retryable } }
}"""


async def test_a_retryable_failure_says_so_in_user_errors() -> None:
    result = await schema.execute(MAKE, variable_values={"n": "busy"})
    assert result.errors is None
    assert result.data == {
        "makeThing": {
            "thing": None,
            "userErrors": [{"field": ["input", "name"], "code": "BUSY", "retryable": True}],
        }
    }


async def test_a_failure_the_input_causes_is_not_retryable() -> None:
    result = await schema.execute(MAKE, variable_values={"n": ""})
    assert result.data is not None
    assert result.data["makeThing"]["userErrors"] == [
        {"field": ["input", "name"], "code": "NAME_REQUIRED", "retryable": False}
    ]


async def test_success_has_no_user_errors() -> None:
    result = await schema.execute(MAKE, variable_values={"n": "lamp"})
    assert result.data == {"makeThing": {"thing": {"name": "lamp"}, "userErrors": []}}


def test_roots_and_connections_are_named_and_described_once() -> None:
    sdl = schema.as_str()
    assert "type ThingConnection {" in sdl
    assert "type ThingEdge {" in sdl
    assert "things(first: Int! = 10): ThingConnection!" in sdl
    assert '"""The entry points for reading."""\ntype Query' in sdl
    assert "userErrors: [UserError!]!" in sdl


async def test_a_connection_ends_where_its_last_edge_is() -> None:
    query = (
        "{ things(first: 2) { edges { node { name } cursor } pageInfo { hasNextPage endCursor } } }"
    )
    result = await schema.execute(query)
    assert result.data == {
        "things": {
            "edges": [
                {"node": {"name": "a"}, "cursor": "cursor-a"},
                {"node": {"name": "b"}, "cursor": "cursor-b"},
            ],
            "pageInfo": {"hasNextPage": True, "endCursor": "cursor-b"},
        }
    }
