"""`_entities`: malformed representations are refused before any resolver runs; a type's
`resolve_references` gets all of its representations in one call."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry

from subgraphs.kernel.graphql.entities import parse_field_set
from subgraphs.kernel.graphql.schema import build_federated_schema

RESOLVED: list[str] = []


@strawberry.federation.type(keys=["id"])
class Item:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Item:
        RESOLVED.append(str(id))
        return cls(id=id)


@strawberry.type
class Owner:
    id: strawberry.ID


@strawberry.federation.type(keys=["sku owner { id }", "code"])
class Line:
    sku: str
    code: str

    @classmethod
    def resolve_reference(cls, **key: Any) -> Line:
        RESOLVED.append(str(key))
        return cls(sku=str(key.get("sku", "")), code=str(key.get("code", "")))


BATCHES: list[list[dict[str, Any]]] = []


@strawberry.federation.type(keys=["id"])
class Shelf:
    id: strawberry.ID

    @classmethod
    async def resolve_references(cls, info: Any, keys: list[dict[str, Any]]) -> list[Any]:
        BATCHES.append(keys)
        if any(key["id"] == "fail" for key in keys):
            raise LookupError("the shelf store is down")
        if any(key["id"] == "short" for key in keys):
            return []
        if any(key["id"] == "meet" for key in keys):  # waits for a Crate resolved beside it
            MEETING["shelf"].set()
            await MEETING["crate"].wait()
        return [
            None
            if key["id"] == "gone"
            else PermissionError()
            if key["id"] == "x"
            else cls(id=key["id"])
            for key in keys
        ]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Shelf:
        raise AssertionError("the kernel resolves shelves in batches")


MEETING: dict[str, asyncio.Event] = {}


@strawberry.federation.type(keys=["id"])
class Crate:
    id: strawberry.ID

    @classmethod
    async def resolve_reference(cls, id: strawberry.ID) -> Crate:
        MEETING["crate"].set()
        await MEETING["shelf"].wait()
        return cls(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def item(self) -> Item:
        return Item(id=strawberry.ID("1"))

    @strawberry.field
    def line(self) -> Line:
        return Line(sku="s", code="c")

    @strawberry.field
    def shelf(self) -> Shelf:
        return Shelf(id=strawberry.ID("1"))

    @strawberry.field
    def crate(self) -> Crate:
        return Crate(id=strawberry.ID("1"))


SCHEMA = build_federated_schema(query=Query, types=[Item, Line, Owner, Shelf, Crate])
ENTITIES = (
    "query($r: [_Any!]!) { _entities(representations: $r) {"
    " __typename ... on Item { id } ... on Shelf { id } ... on Crate { id } } }"
)


async def entities(representations: Any) -> Any:
    RESOLVED.clear()
    return await SCHEMA.execute(ENTITIES, variable_values={"r": representations})


@pytest.mark.parametrize(
    ("representations", "index", "says"),
    [
        ([False], 0, "expected an object"),
        ([{"__typename": "Item", "id": "1"}, "x"], 1, "expected an object"),
        ([{"__typename": "Item", "id": None}], 0, "'id' is missing or null"),
        ([{"__typename": "Item"}], 0, "'id' is missing or null"),
        ([{"__typename": "Item", "id": {"$gt": ""}}], 0, "'id' must be a string"),
        ([{"__typename": "Item", "id": True}], 0, "'id' must be a string"),
        ([{"id": "1"}], 0, "__typename must be a non-empty string"),
        ([{"__typename": "Nope", "id": "1"}], 0, "'Nope' is not an entity"),
        ([{"__typename": "Query", "id": "1"}], 0, "'Query' is not an entity"),
        ([{"__typename": "Owner", "id": "1"}], 0, "'Owner' is not an entity"),
        ([{"__typename": "Line", "sku": "s"}], 0, "'owner' is missing"),
        ([{"__typename": "Line", "sku": "s", "owner": "o"}], 0, "'owner' must be an object"),
        ([{"__typename": "Line", "sku": "s", "owner": {}}], 0, "'owner.id' is missing"),
        ([{"__typename": "Item", "id": "1", "name": "x"}], 0, "unexpected field 'name'"),
        ([{"__typename": "Item", "id": "1", "\x02": [1.5]}], 0, "unexpected field '\\x02'"),
    ],
)
async def test_malformed_representations_are_bad_user_input(
    representations: Any, index: int, says: str
) -> None:
    result = await entities(representations)
    [error] = result.errors
    assert error.extensions == {"code": "BAD_USER_INPUT", "representationIndex": index}
    assert error.message.startswith(f"Invalid representation at index {index}: ")
    assert says in error.message
    assert RESOLVED == []  # refused before any resolver ran


async def test_well_formed_representations_resolve() -> None:
    result = await entities(
        [
            {"__typename": "Item", "id": "7"},
            {"__typename": "Item", "id": 8},
            {"__typename": "Line", "code": "c"},
            {"__typename": "Line", "sku": "s", "owner": {"id": "o"}, "extra": 1},
        ]
    )
    assert result.errors is None
    assert result.data["_entities"][:2] == [
        {"__typename": "Item", "id": "7"},
        {"__typename": "Item", "id": "8"},
    ]
    assert RESOLVED[:2] == ["7", "8"]
    assert len(RESOLVED) == 4


async def test_a_batched_type_is_resolved_in_one_call_in_the_order_asked() -> None:
    BATCHES.clear()
    result = await entities(
        [
            {"__typename": "Shelf", "id": "a"},
            {"__typename": "Item", "id": "7"},
            {"__typename": "Shelf", "id": "gone"},
            {"__typename": "Shelf", "id": "b"},
        ]
    )
    assert result.errors is None
    assert result.data["_entities"] == [
        {"__typename": "Shelf", "id": "a"},
        {"__typename": "Item", "id": "7"},
        None,
        {"__typename": "Shelf", "id": "b"},
    ]
    assert BATCHES == [[{"id": "a"}, {"id": "gone"}, {"id": "b"}]]  # one call, no __typename
    assert RESOLVED == ["7"]  # the other type, one by one


async def test_a_batch_fails_only_where_it_failed() -> None:
    BATCHES.clear()
    one = await entities([{"__typename": "Shelf", "id": "a"}, {"__typename": "Shelf", "id": "x"}])
    assert one.data["_entities"] == [{"__typename": "Shelf", "id": "a"}, None]
    [error] = one.errors
    assert error.path == ["_entities", 1]
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}  # masked: not a public error

    every = await entities(
        [{"__typename": "Shelf", "id": "fail"}, {"__typename": "Item", "id": "7"}]
    )
    assert every.data["_entities"] == [None, {"__typename": "Item", "id": "7"}]
    assert [e.path for e in every.errors] == [["_entities", 0]]
    assert "shelf store" not in every.errors[0].message

    # A batch that answers for fewer keys than it was given fails only its own items.
    short = await entities(
        [{"__typename": "Shelf", "id": "short"}, {"__typename": "Item", "id": "7"}]
    )
    assert short.data["_entities"] == [None, {"__typename": "Item", "id": "7"}]
    assert [e.path for e in short.errors] == [["_entities", 0]]


async def test_batches_and_the_other_types_are_resolved_at_the_same_time() -> None:
    MEETING.update(shelf=asyncio.Event(), crate=asyncio.Event())
    # Each waits for the other: resolved one after the other, this would never finish.
    result = await asyncio.wait_for(
        entities([{"__typename": "Shelf", "id": "meet"}, {"__typename": "Crate", "id": "c"}]),
        timeout=10,
    )
    assert result.errors is None
    assert result.data["_entities"] == [
        {"__typename": "Shelf", "id": "meet"},
        {"__typename": "Crate", "id": "c"},
    ]


def test_field_sets_parse_nested_selections() -> None:
    assert parse_field_set("id") == (("id", None),)
    assert parse_field_set("sku owner { id org { id } }") == (
        ("sku", None),
        ("owner", (("id", None), ("org", (("id", None),)))),
    )
    with pytest.raises(ValueError, match="unbalanced"):
        parse_field_set("owner { id")
