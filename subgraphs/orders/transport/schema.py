"""The orders subgraph schema: `build_schema(settings, introspection=...)`."""

from __future__ import annotations

from subgraphs.kernel.graphql.schema import schema_builder
from subgraphs.orders.transport import mutations, queries, subscriptions, types

build_schema = schema_builder(
    query=queries.Query,
    mutation=mutations.Mutation,
    subscription=subscriptions.Subscription,
    types=[types.Order, types.User],
)
