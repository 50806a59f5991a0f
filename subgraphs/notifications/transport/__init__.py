"""Notifications GraphQL transport: types, resolvers and the schema."""
