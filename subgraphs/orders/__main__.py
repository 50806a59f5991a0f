"""`python -m subgraphs.orders`: serve the orders subgraph."""

from subgraphs.kernel.runtime.serve import serve
from subgraphs.orders.app import build_app
from subgraphs.orders.settings import OrdersSettings

if __name__ == "__main__":
    serve("orders", OrdersSettings(), build_app)
