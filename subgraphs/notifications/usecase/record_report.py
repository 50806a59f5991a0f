"""Record a provider's report on a message it accepted: DELIVERED, or FAILED `undelivered`.

The SMS provider tells us later what became of a message (Twilio's status
callback). Only its final statuses are recorded; the steps before them
(queued, sending, sent) change nothing. The first final report of a
notification wins and nothing changes its status afterwards: a replayed
report, a later one, or the worker's own SENT arriving after the report
(callbacks can overtake it) all leave it as reported.
"""

from __future__ import annotations

import logging

from subgraphs.kernel.core.clock import Clock
from subgraphs.notifications.domain.notification import DeliveryReport
from subgraphs.notifications.usecase.ports import NotificationStore

log = logging.getLogger(__name__)


class RecordReport:
    def __init__(self, store: NotificationStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def __call__(
        self, notification_id: str, provider_status: str, receipt: str, detail: str = ""
    ) -> bool:
        """True if the report changed the notification."""
        report = DeliveryReport.final(provider_status, receipt, self._clock(), detail)
        if report is None:
            return False
        applied = await self._store.record_report(notification_id, report)
        log.info(
            "delivery report recorded" if applied else "delivery report changed nothing",
            extra={
                "notification_id": notification_id,
                "report": report.provider_status,
                "receipt": receipt,
                "detail": detail,
            },
        )
        return applied
