"""Store clients: `resources` (clients the lifespan owns, readiness pings) and `mongo`
(Decimal codec, transactions, the MongoDB unit of work)."""
