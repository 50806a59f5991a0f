"""`python -m workers.notifications`: the notifications worker (stream bridge + arq jobs).

Serves /health, /ready and /metrics on NOTIFICATIONS_WORKER_PORT (4014); the
logic lives in `subgraphs.notifications` (see its README).
"""

from subgraphs.kernel.runtime.serve import serve
from subgraphs.notifications.settings import NotificationsWorkerSettings
from subgraphs.notifications.worker import build_worker_app

if __name__ == "__main__":
    serve("notifications-worker", NotificationsWorkerSettings(), build_worker_app)
