"""`requires_scope`: the directive in the SDL and the same check in the subgraph."""

from __future__ import annotations

from types import SimpleNamespace

import strawberry

from subgraphs.kernel.core.access import Role, Scope, scope_claim
from subgraphs.kernel.graphql.auth import RequestAuth
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.schema import build_federated_schema
from tests.unit.kernel.test_auth import VERIFIER, claims, sign


@strawberry.type
class Query:
    @strawberry.field(extensions=requires_scope(Scope.STAFF_MANAGE))
    def staff_count(self) -> int:
        return 3

    @strawberry.field
    def open(self) -> int:
        return 1


SCHEMA = build_federated_schema(query=Query)


def context(token: str | None) -> SimpleNamespace:
    return SimpleNamespace(auth=RequestAuth(VERIFIER, lambda: token))


def test_the_sdl_declares_the_scope():
    sdl = SCHEMA.as_str()
    assert 'staffCount: Int! @requiresScopes(scopes: [["staff:manage"]])' in sdl
    assert "open: Int!\n" in sdl


async def test_only_a_token_with_the_scope_gets_the_data():
    admin = sign(claims(scope=scope_claim(Role.ADMIN)))
    allowed = await SCHEMA.execute("{ staffCount }", context_value=context(admin))
    assert allowed.errors is None
    assert allowed.data == {"staffCount": 3}
    for token, code in [
        (None, "UNAUTHENTICATED"),
        (sign(claims()), "FORBIDDEN"),
        (sign(claims(scope=scope_claim(Role.SUPPORT))), "FORBIDDEN"),
    ]:
        refused = await SCHEMA.execute("{ staffCount open }", context_value=context(token))
        assert refused.data is None
        assert refused.errors is not None
        assert [(e.extensions or {}).get("code") for e in refused.errors] == [code]
