"""Shared building blocks for every subgraph; knows no domain nouns.

Modules: `settings`, `logging`, `errors`, `auth`, `graphql` (schema limits and
error masking), `resources` (store clients owned by the lifespan), `app`
(the subgraph app factory with /graphql, /health and /ready) and `serve`.
"""
