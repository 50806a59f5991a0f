"""Orders GraphQL transport: types, resolvers, DataLoaders, the subscription and the schema."""
