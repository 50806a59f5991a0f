"""The arq job wrapper: the outcome out, `TryLater` as an arq retry, cancellation as it is."""

from __future__ import annotations

import asyncio

import pytest
from arq.worker import Retry

from subgraphs.notifications.domain.notification import FailureReason
from subgraphs.notifications.jobs.arq_worker import deliver_notification
from subgraphs.notifications.usecase.deliver import Outcome, TryLater


class StubDeliver:
    """Stands in for `Deliver`: raises `error` if given, else returns SENT."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error
        self.calls: list[str] = []

    async def __call__(self, notification_id: str) -> Outcome:
        self.calls.append(notification_id)
        if self.error is not None:
            raise self.error
        return Outcome.SENT


async def test_the_job_returns_the_outcome():
    deliver = StubDeliver()
    assert await deliver_notification({"deliver": deliver, "job_try": 2}, "n-1") == "sent"
    assert deliver.calls == ["n-1"]


async def test_try_later_becomes_an_arq_retry_with_its_delay():
    deliver = StubDeliver(TryLater(4.0, FailureReason.SMTP_UNAVAILABLE, "server down"))
    with pytest.raises(Retry) as retry:
        await deliver_notification({"deliver": deliver, "job_try": 1}, "n-1")
    assert retry.value.defer_score == 4000


async def test_cancellation_reaches_arq_as_it_is():
    deliver = StubDeliver(asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await deliver_notification({"deliver": deliver, "job_try": 1}, "n-1")
