"""The payments subgraph schema."""

from __future__ import annotations

from subgraphs.kernel.graphql import SubgraphSchema, build_federated_schema
from subgraphs.kernel.settings import GraphQLSettings
from subgraphs.payments.transport.mutations import Mutation
from subgraphs.payments.transport.queries import Query
from subgraphs.payments.transport.types import Order, Payment


def build_schema(
    settings: GraphQLSettings | None = None, *, introspection: bool = True
) -> SubgraphSchema:
    return build_federated_schema(
        query=Query,
        mutation=Mutation,
        types=[Order, Payment],
        settings=settings,
        introspection=introspection,
    )
