"""The arq queue on `/metrics`: `arq_queue_depth{queue}` and `arq_jobs_total{queue,outcome}`.

The depth is read from Redis when scraped (every worker reports the same
value). The outcomes are arq's own per-worker counts (`complete`, `failed`,
`retried`), added to a kernel counter after every job, so they add up across
the worker processes like every other counter.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, cast

from arq.connections import ArqRedis
from arq.worker import Worker

from subgraphs.kernel.observability.gauges import Sample
from subgraphs.kernel.observability.metrics import Counter

ARQ_JOBS = Counter(
    "arq_jobs_total", "Jobs the notifications worker finished, by queue and outcome."
)
DEPTH_HELP = "Jobs waiting in the arq queue, deferred retries included."


class QueueDepth:
    """A `kernel.observability.gauges` collector: how many jobs the queue holds."""

    name = "arq-queue"

    def __init__(self, arq: ArqRedis, queue: str) -> None:
        self._arq = arq
        self._queue = queue

    async def collect(self) -> list[Sample]:
        # redis-py types its commands for both clients (`Awaitable[T] | T`); this one is async.
        depth = await cast("Awaitable[int]", self._arq.zcard(self._queue))
        return [Sample("arq_queue_depth", "gauge", DEPTH_HELP, {"queue": self._queue}, depth)]


class JobOutcomes:
    """Adds what a worker's own counts grew by to `arq_jobs_total`, after each job.

    `Worker(..., after_job_end=outcomes.after_job_end)`, then `outcomes.worker = worker`.
    """

    def __init__(self, queue: str) -> None:
        self.worker: Worker | None = None
        self._queue = queue
        self._seen = {"complete": 0, "failed": 0, "retried": 0}

    async def after_job_end(self, ctx: dict[str, Any]) -> None:
        worker = self.worker
        if worker is None:
            return
        counts = {
            "complete": worker.jobs_complete,
            "failed": worker.jobs_failed,
            "retried": worker.jobs_retried,
        }
        for outcome, count in counts.items():
            if count > self._seen[outcome]:
                ARQ_JOBS.inc(count - self._seen[outcome], queue=self._queue, outcome=outcome)
                self._seen[outcome] = count
