"""The notifications subgraph schema."""

from __future__ import annotations

from subgraphs.kernel.graphql.schema import SubgraphSchema, build_federated_schema
from subgraphs.kernel.process.settings import GraphQLSettings
from subgraphs.notifications.transport.mutations import Mutation
from subgraphs.notifications.transport.queries import Query
from subgraphs.notifications.transport.types import Order, User


def build_schema(
    settings: GraphQLSettings | None = None, *, introspection: bool = True
) -> SubgraphSchema:
    return build_federated_schema(
        query=Query,
        mutation=Mutation,
        types=[User, Order],
        settings=settings,
        introspection=introspection,
    )
