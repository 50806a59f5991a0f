"""Events between contexts over Redis Streams, at least once and never lost.

`outbox` (the transactional outbox and its relay), `consumer` (consumer
groups, retries, dead letters), `inbox` (idempotency on the event id),
`broadcast` (one stream fanned out to in-process subscribers).
"""
