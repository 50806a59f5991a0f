"""Test support shared by unit tests and benchmarks: in-memory fakes of the contexts' ports.

Never part of the product: the package is not installed (pyproject lists
the packages it ships), the Docker build context leaves it out, and an
import-linter contract keeps application code from importing it.

- `testkit.kernel`: clocks, ids, an in-memory unit of work, a token verifier stub.
- `testkit.users` (and `testkit.user_sessions`), `testkit.orders`, `testkit.payments`: each
  context's ports in memory, with the same uniqueness and version rules as the MongoDB
  adapters.
- `testkit.notifications`: the notifications ports in memory (same rules as the Redis
  adapters) and `Context`, the context wired on them by its `bootstrap`.
"""
