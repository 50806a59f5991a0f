"""Shared building blocks for every subgraph; knows no domain nouns.

- `settings`, `logging` (JSON lines with the correlation id), `errors`
  (DomainError -> userErrors; public GraphQL errors), `auth` (JWT checks
  against the users JWKS), `context` (the per-request context), `types`,
  `pagination`, `money`.
- `graphql` (schema limits, caches, error masking), `app` (the app factory:
  /graphql, /health, /ready, /metrics), `serve`, `resources` (store clients
  owned by the lifespan), `background` (loops owned by the lifespan),
  `metrics`, `mongo` (Decimal codec, transactions).
- Events: `events` (the envelope), `outbox` (transactional outbox + relay),
  `consumer` (consumer groups, retries, dead letters), `inbox` (idempotency
  on the event id), `broadcast` (one stream fanned out to subscriptions).
"""
