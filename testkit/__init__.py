"""Test support shared by the tests, the benchmarks and the chaos run.

Never part of the product: the package is not installed (pyproject lists
the packages it ships), the Docker build context leaves it out, and an
import-linter contract keeps application code from importing it.

Driving the stack from outside, the one client everything uses:

- `testkit.client`: GraphQL over HTTP, subscriptions over graphql-transport-ws.
- `testkit.journeys`: a customer's register -> order -> pay (-> refund), retried like a
  careful client; the operations the tests send through the gateway.
- `testkit.sessions`: the session and password operations, as a frontend sends them.
- `testkit.prometheus`: reading a /metrics page.
- `testkit.waiting`: `eventually`, the one way to wait for something that happens elsewhere.

In-memory fakes of the contexts' ports (unit tests and benchmarks):

- `testkit.kernel`: clocks, ids, an in-memory unit of work, a token verifier stub.
- `testkit.users` (and `testkit.user_sessions`), `testkit.catalog`, `testkit.orders`,
  `testkit.payments`: each context's ports in memory, with the same uniqueness and version
  rules as the MongoDB adapters.
- `testkit.notifications`: the notifications ports in memory (same rules as the Redis
  adapters) and `Context`, the context wired on them by its `bootstrap`.
"""
