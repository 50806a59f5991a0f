"""The users subgraph schema."""

from __future__ import annotations

from subgraphs.kernel.graphql import SubgraphSchema, build_federated_schema
from subgraphs.kernel.settings import GraphQLSettings
from subgraphs.users.transport.mutations import Mutation
from subgraphs.users.transport.queries import Query


def build_schema(
    settings: GraphQLSettings | None = None, *, introspection: bool = True
) -> SubgraphSchema:
    return build_federated_schema(
        query=Query, mutation=Mutation, settings=settings, introspection=introspection
    )
