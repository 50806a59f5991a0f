"""`python -m subgraphs.notifications`: serve the notifications subgraph."""

from subgraphs.kernel.runtime.serve import serve
from subgraphs.notifications.app import build_app
from subgraphs.notifications.settings import NotificationsSettings

if __name__ == "__main__":
    serve("notifications", NotificationsSettings(), build_app)
