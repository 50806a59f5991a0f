"""The orders subgraph schema."""

from __future__ import annotations

from subgraphs.kernel.graphql import SubgraphSchema, build_federated_schema
from subgraphs.kernel.settings import GraphQLSettings
from subgraphs.orders.transport.mutations import Mutation
from subgraphs.orders.transport.queries import Query
from subgraphs.orders.transport.subscriptions import Subscription
from subgraphs.orders.transport.types import Order, User


def build_schema(
    settings: GraphQLSettings | None = None, *, introspection: bool = True
) -> SubgraphSchema:
    return build_federated_schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Order, User],
        settings=settings,
        introspection=introspection,
    )
