"""`python -m tools.chaos` (`make chaos`): orders through the gateway while parts of the stack fail.

Starts a whole stack of its own (tools.stack: supervised, REPLICAS processes
per subgraph and worker, SecantusDB on disk, Redis with an append-only file
fsynced on every write, the SMTP sink) on free ports, never `make up`'s
ports nor the Redis on 6379. The stock is limited: before the customers
come, a catalog staff member (a token minted with the `catalog` role and the
stack's users signing key) creates the run's own products (Plan.products, 4)
and receives fewer units than the orders ask for (Plan.stock_share, 70%).
Then customers register, place one order each for one unit of one of them
and pay it through the gateway (one in ten declined, one in ten refunded
after paying, by staff, the unit back in stock: refunds need
`refunds:decide`, and until staff accounts sign in the run mints a support
member's token with the stack's users signing key, `testkit.staff`; one in
ten watches its order over a WebSocket subscription),
paced over the run, while these faults happen one after another:

  1. SIGKILL an orders process while createOrder requests are in flight
  2. SIGKILL a payments process while processPayment requests are in flight
  3. SIGKILL a worker in the middle of an SMTP send (the sink holds its reply
     to DATA after storing the message: accepted, never acknowledged)
  4. Redis stopped with SIGTERM (the supervisor starts it again)
  5. SecantusDB frozen for 5 s (SIGSTOP, then SIGCONT)
  6. Redis killed with SIGKILL (appendfsync always: nothing acknowledged is lost)
  7. SecantusDB stopped with SIGTERM and started again on its data folder
  8. the SMTP sink away for 10 s
  9. a gateway process stopped with SIGTERM (it drains while the other serves; the
     supervisor starts it again)

With PAYMENTS_PROVIDER_KIND=stripe, payments run on localstripe (started by the
stack), customers pay with Stripe's test cards, localstripe is frozen for 5 s
after fault 2, and the report checks the provider's intents and refunds
against the payments stored (tools/chaos/stripe_check.py).

Which orders get the units is up to the race: an order the catalog could not
reserve is REJECTED (the customer's payment answers ORDER_REJECTED, an
expected outcome: nothing is paid, a mail says what was short). Unpaid orders
expire after Plan.reservation_ttl seconds (orders' RESERVATION_TTL_SECONDS:
120 for 1,000 orders, 40 in the 100-order test; paying customers pay well
within it, faults included, and the report quotes the slowest): a declined order ends CANCELLED
(reason expired) during the settle phase, with the cancellation mail, and its
units are released.

A customer who watches its order pays only once the orders processes count
the subscriber as registered (`broadcast_subscriptions_total`, which
`/metrics` on the shared port sums over the processes), so a status it
misses is a real miss; only a REJECTED that came before the subscriber was
registered may go unseen (the order is read once it is). Customers behave
like careful clients: they retry what failed (a payment or refund with the
same idempotency key, a payment while the stock is not reserved yet; an order
only after checking that none was created). When every customer is done, the
run waits (up to --settle seconds) for the system to settle and prints the
report: every order in the state its customer's outcome calls for (PAID,
REFUNDED, CANCELLED after a decline, REJECTED) that orders and payments agree
on; per customer exactly its mails as distinct Message-IDs at the sink
(verify, confirmation, then receipt, payment-failed notice and cancellation,
receipt and refund, or rejection); the resends of a message already accepted
(same Message-ID, harmless; SMTP cannot be exactly once), with their window;
outboxes drained; dead-letter streams empty and no pending entries;
subscribers that stayed connected saw every status of their order in order
(PAYMENT_FAILED then CANCELLED for a declined one; they stop at REJECTED
too); the stock, read from the catalog's and orders' databases
(tools/chaos/stock.py): for every sku available = on hand - reserved >= 0,
reserved = the RESERVED reservations, on hand = initial + adjustments -
committed, committed <= the units that came in (0 oversold), every paid order
has a committed reservation, none is left RESERVED (0 leaked after the
expiry), the REJECTED and expired orders counted; how long after the last
fault the gateway's latency was back to normal. Exit status 0 when
everything holds.
"""

from tools.chaos.plan import Plan
from tools.chaos.report import Report
from tools.chaos.run import run

__all__ = ["Plan", "Report", "run"]
