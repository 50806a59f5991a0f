"""The role matrix: every field of the composed schema that needs a caller or a scope, called
with no token and with a token of each role, through the gateway and straight at the subgraph
that resolves it (entity fields through `_entities`).

A caller that must not pass gets UNAUTHENTICATED (no token) or FORBIDDEN (a token without the
scope) and no data, from the gateway before any subgraph runs and from the subgraph itself;
a caller that must pass gets no access error. The walk reads router/supergraph.graphql, so a
field added with a directive is in the matrix without touching this file.

The fields that hang off an order in each subgraph (owner or `orders:read:any`, no directive)
have a matrix of their own: owner, staff, other customers, no token.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from testkit.client import error_codes, graphql
from testkit.journeys import register
from testkit.role_matrix import (
    CALLERS,
    Caller,
    ProtectedField,
    hidden_entity,
    let_through,
    protected_fields,
)
from testkit.role_matrix import refused as is_refused
from testkit.tokens import mint_access_token
from testkit.waiting import eventually
from tests.e2e.test_payments_through_gateway import create_order, pay
from tools.compose import SUPERGRAPH

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fields() -> list[ProtectedField]:
    found = protected_fields(Path(SUPERGRAPH).read_text(encoding="utf-8"))
    # The walk finds what is there: at least the staff order queries.
    assert {"Query.staffOrders", "Query.staffOrder"} <= {f.coordinate for f in found}
    return found


@pytest.fixture(scope="module")
def tokens(users_signing_key: bytes) -> dict[str, str | None]:
    return {
        caller.name: (
            mint_access_token(users_signing_key, f"matrix-{caller.name}", role=caller.role)
            if caller.role is not None
            else None
        )
        for caller in CALLERS
    }


@pytest.fixture(scope="module")
async def entity_keys(gateway: httpx.AsyncClient, tokens: dict[str, str | None]) -> dict[str, Any]:
    """Real keys for the entities whose protected fields are checked once the entity resolved:
    an order of the matrix's customer (who must still be refused its staff fields), a seeded
    product (its stock)."""
    order = await create_order(gateway, tokens["customer"], [{"sku": "SKU-MUG", "quantity": 1}])
    return {"Order": {"id": order["id"]}, "Product": {"sku": "SKU-MUG"}}


async def test_every_protected_field_answers_each_role_as_the_schema_says(
    fields: list[ProtectedField],
    tokens: dict[str, str | None],
    entity_keys: dict[str, Any],
    gateway: httpx.AsyncClient,
    users_url: str,
    catalog_url: str,
    orders_url: str,
    payments_url: str,
    notifications_url: str,
) -> None:
    subgraphs = {
        "users": users_url,
        "catalog": catalog_url,
        "orders": orders_url,
        "payments": payments_url,
        "notifications": notifications_url,
    }
    wrong: list[str] = []
    tried: Counter[str] = Counter()

    async def call(
        where: str, client: httpx.AsyncClient, url: str, field: ProtectedField, caller: Caller
    ) -> None:
        variables: dict[str, Any] = {}
        path: tuple[str, ...] = (field.field_name,)
        query = field.operation
        keys = entity_keys.get(field.type_name)
        if not field.is_root:
            query, variables = field.entities_request(keys)
            path = ("_entities", field.field_name)
        body = await graphql(client, query, variables, token=tokens[caller.name], path=url)
        tried[where] += 1
        if field.admits(caller):
            if not let_through(body) or (keys and hidden_entity(body)):
                wrong.append(f"{where} {field.coordinate} refused {caller.name}: {body}")
        elif keys and caller.name != "customer" and hidden_entity(body):
            pass  # not the customer's own order and no scope over it: answered as missing
        elif not is_refused(body, path):
            wrong.append(f"{where} {field.coordinate} let {caller.name} through: {body}")
        elif where == "gateway" and body.get("data") is not None:
            wrong.append(f"{where} {field.coordinate} ran for {caller.name}: {body}")
        elif caller.role is None and "FORBIDDEN" in str(body):
            wrong.append(f"{where} {field.coordinate} anonymous not UNAUTHENTICATED: {body}")

    async with httpx.AsyncClient(timeout=30) as direct:
        for field in fields:
            for caller in CALLERS:
                if field.is_root:
                    await call("gateway", gateway, "/graphql", field, caller)
                url = f"{subgraphs[field.subgraph]}/graphql"
                await call("subgraph", direct, url, field, caller)

    roots = sum(f.is_root for f in fields)
    print(
        f"\nrole matrix: {len(fields)} protected fields ({roots} root, {len(fields) - roots} "
        f"entity) x {len(CALLERS)} callers ({', '.join(c.name for c in CALLERS)}): "
        f"{tried['gateway']} calls through the gateway, {tried['subgraph']} straight to the "
        "subgraphs"
    )
    assert not wrong, "\n".join(wrong)


# Fields that hang off an order in each subgraph: they answer its owner and staff holding
# orders:read:any, and anyone else exactly as for an order without them (no directive: a
# customer reads their own).
ORDER_FIELDS = {
    "orders": "status",
    "payments": "payment { id }",
    "notifications": "notifications { id }",
}


async def test_an_orders_fields_answer_its_owner_and_staff_with_orders_read_any_only(
    tokens: dict[str, str | None],
    gateway: httpx.AsyncClient,
    orders_url: str,
    payments_url: str,
    notifications_url: str,
) -> None:
    subgraphs = {"orders": orders_url, "payments": payments_url, "notifications": notifications_url}
    owner = await register(gateway)
    order = await create_order(gateway, owner["accessToken"], [{"sku": "SKU-MUG", "quantity": 1}])
    await pay(gateway, owner["accessToken"], order["id"])
    callers = {**tokens, "owner": owner["accessToken"]}
    reps = {"r": [{"__typename": "Order", "id": order["id"]}]}

    async def seen(client: httpx.AsyncClient, selection: str, token: str | None) -> Any:
        query = (
            "query($r: [_Any!]!) { _entities(representations: $r) "
            f"{{ ... on Order {{ {selection} }} }} }}"
        )
        return await graphql(client, query, reps, token=token)

    async def mails_listed() -> bool | None:
        async with httpx.AsyncClient(base_url=notifications_url) as client:
            body = await seen(client, ORDER_FIELDS["notifications"], owner["accessToken"])
        return True if body["data"]["_entities"][0]["notifications"] else None

    await eventually(mails_listed, what="the order's confirmation mail")
    wrong: list[str] = []
    tried = 0
    for subgraph, selection in ORDER_FIELDS.items():
        field = selection.split()[0]
        async with httpx.AsyncClient(base_url=subgraphs[subgraph], timeout=30) as direct:
            for name, token in callers.items():
                body = await seen(direct, selection, token)
                tried += 1
                entity = ((body.get("data") or {}).get("_entities") or [None])[0]
                value = entity.get(field) if isinstance(entity, dict) else None
                if name == "anonymous":
                    ok = error_codes(body) == ["UNAUTHENTICATED"] and not value
                elif name in ("owner", "support", "admin"):
                    ok = "errors" not in body and bool(value)
                else:  # another customer, a catalog manager: as if there were nothing
                    ok = "errors" not in body and not value
                if not ok:
                    wrong.append(f"{subgraph} Order.{field} for {name}: {body}")
    print(f"\nan order's fields: {len(ORDER_FIELDS)} x {len(callers)} callers = {tried} calls")
    assert not wrong, "\n".join(wrong)
