"""Store clients: `resources` (clients the lifespan owns, readiness pings), `mongo`
(Decimal codec, transactions, the MongoDB unit of work) and `keyset` (paging by a time,
then an id)."""
