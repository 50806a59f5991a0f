"""The payments subgraph schema: `build_schema(settings, introspection=...)`."""

from __future__ import annotations

from subgraphs.kernel.graphql.schema import schema_builder
from subgraphs.payments.transport.mutations import Mutation
from subgraphs.payments.transport.queries import Query
from subgraphs.payments.transport.types import Order, Payment

build_schema = schema_builder(query=Query, mutation=Mutation, types=[Order, Payment])
