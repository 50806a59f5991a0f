"""End-to-end benchmarks through the gateway: what a customer waits for.

Three tables, each against a running stack (`Target`):

- events: the highest sustainable rate of paid orders (create + pay), and at
  half of it the latency from the payment mutation's start to the receipt
  accepted by SMTP, and from the order's creation to its confirmation mail;
  beside it the store's raw write rate and the writes one paid order needs.
- fan-out: graphql-ws subscribers through the gateway, each with its order
  owner's token; delivery of the PAID change from the payment mutation's
  start (2,000 on 200 orders paid at a steady rate, then all at once; 500
  on one order); resident memory of the gateway and the orders subgraph,
  and what one open subscription adds to it.
- gateway cost: requests per second of a cross-subgraph query through the
  gateway against the direct single-subgraph query, and the CPU each
  process spends per request.

`python -m bench e2e` starts its own stack on free ports (`bench.e2e.stack`);
the smoke test runs the same code with tiny sizes against the test stack.
"""

from bench.e2e.run import run, run_all
from bench.e2e.target import SMOKE, Sizes, Target

__all__ = ["SMOKE", "Sizes", "Target", "run", "run_all"]
