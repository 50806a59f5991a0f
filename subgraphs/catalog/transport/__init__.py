"""Catalog GraphQL transport: types, resolvers, DataLoaders and the schema."""
