"""Staff-only fields: the scope they need, declared in the schema and checked here.

`requires_scope(Scope.X)` goes in a field's `extensions`. It puts Federation's
`@requiresScopes(scopes: [["x"]])` on the field, so the composed supergraph
says what each field needs and the gateway refuses a caller without it
before any subgraph is called; and it checks the same scope in this
subgraph before the resolver runs, so a request that skips the gateway
(or a gateway that enforces nothing) is refused all the same: no token is
`UNAUTHENTICATED`, a token without the scope `FORBIDDEN`, and no data.

    @strawberry.field(extensions=requires_scope(Scope.ORDERS_READ_ANY))
    async def orders_of_all_customers(self, info: Info) -> ...

The check runs before the resolver, so a resolver that needs the caller
takes it with `info.context.auth.require()` and never states the scope twice.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.federation.schema_directives import RequiresScopes
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope


class _HasScope(BasePermission):
    """The caller's token grants `scope`; `require_scope` raises the access error itself."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._directive = RequiresScopes(scopes=[[scope.value]])

    @property
    def schema_directive(self) -> object:
        return self._directive

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        await info.context.auth.require_scope(self.scope)
        return True


def requires_scope(scope: Scope) -> list[FieldExtension]:
    """A field's extensions: `@requiresScopes` in the SDL, and the same check in this subgraph."""
    return [PermissionExtension([_HasScope(scope)])]
