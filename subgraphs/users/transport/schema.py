"""The users subgraph schema."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.graphql import build_federated_schema
from subgraphs.kernel.settings import GraphQLSettings
from subgraphs.users.transport.mutations import Mutation
from subgraphs.users.transport.queries import Query


def build_schema(
    settings: GraphQLSettings | None = None, *, introspection: bool = True
) -> strawberry.federation.Schema:
    return build_federated_schema(
        query=Query, mutation=Mutation, settings=settings, introspection=introspection
    )
