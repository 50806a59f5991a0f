"""The users subgraph schema: `build_schema(settings, introspection=...)`."""

from __future__ import annotations

from subgraphs.kernel.graphql.schema import schema_builder
from subgraphs.users.transport.mutations import Mutation
from subgraphs.users.transport.queries import Query

build_schema = schema_builder(query=Query, mutation=Mutation)
