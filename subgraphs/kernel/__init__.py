"""Shared building blocks for every subgraph; knows no domain nouns.

- Pure (no framework, no driver; domains and use cases may import them):
  `clock` (the one clock, UTC to the millisecond), `ids` (the one id
  maker), `errors` (DomainError -> userErrors; NotSignedIn / NotAllowed),
  `money`, `events` (the envelope, the events aggregates record),
  `unit_of_work` (the port use cases save through).
- Transport: `graphql_errors` (public GraphQL errors, the codes of access
  errors), `graphql` (schema limits, caches, error masking), `app` (the app
  factory: /graphql, /health, /ready, /metrics), `context` (the per-request
  context), `auth` (JWT checks against the users JWKS), `types`,
  `pagination`, `serve`.
- Process and drivers: `settings`, `logging` (JSON lines with the
  correlation id), `resources` (store clients owned by the lifespan),
  `background` (loops owned by the lifespan), `metrics` (counters),
  `gauges` (store state read when scraped), `telemetry` (OpenTelemetry
  from the OTEL_* variables), `mongo` (Decimal codec, transactions, the
  MongoDB unit of work), `outbox` (transactional outbox + relay),
  `consumer` (consumer groups, retries, dead letters), `inbox` (idempotency
  on the event id), `broadcast` (one stream fanned out to subscriptions).
"""
