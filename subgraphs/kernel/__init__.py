"""Shared building blocks for every subgraph; knows no domain nouns.

Its packages, top to bottom (a package imports only those below it; an
import-linter contract keeps it so):

- `runtime`: the app factory (/graphql, /health, /ready, /metrics) and serving.
- `graphql`: the transport every subgraph shares (schema, context, auth,
  `_entities`, shared types and payloads, pagination, enums).
- `stores`: MongoDB and Redis clients, transactions, the MongoDB unit of work.
- `messaging`: the outbox and its relay, the stream consumer, the inbox,
  broadcast to subscriptions.
- `process` (settings, lifespan-owned loops and deferred work) and
  `observability` (logs, counters, gauges, tracing).
- `core`: pure (clock, ids, errors, money, events and what consumers read
  of them, correlation id, the unit-of-work port); domains and use cases
  import only this.
"""
