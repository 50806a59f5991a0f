"""`python -m subgraphs.payments`: serve the payments subgraph."""

from subgraphs.kernel.runtime.serve import serve
from subgraphs.payments.app import build_app
from subgraphs.payments.settings import PaymentsSettings

if __name__ == "__main__":
    serve("payments", PaymentsSettings(), build_app)
