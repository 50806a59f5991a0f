"""The catalog subgraph schema: `build_schema(settings, introspection=...)`."""

from __future__ import annotations

from subgraphs.catalog.transport import mutations, queries, types
from subgraphs.kernel.graphql.schema import schema_builder

build_schema = schema_builder(
    query=queries.Query, mutation=mutations.Mutation, types=[types.Product, types.User]
)
