"""The delivery job, and the arq worker that runs it inside the app's lifespan (a `Resource`).

arq runs what `Deliver` decides: a job makes one attempt; `TryLater`
becomes arq's `Retry` with the policy's delay. arq's tries are the policy's
attempts (`max_tries = max_attempts`), its hard limit (`job_timeout`) comes
after the attempt's own, and it keeps no results. Only arq's public API is
used: settings in, `async_run`, `start_jobs` for a wake-up, and its own
wait-then-cancel shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from arq.connections import ArqRedis
from arq.worker import Retry, Worker, func
from redis.exceptions import RedisError

from subgraphs.kernel.observability import gauges, telemetry
from subgraphs.kernel.process.background import pause
from subgraphs.notifications.jobs.arq_metrics import JobOutcomes, QueueDepth
from subgraphs.notifications.jobs.arq_queue import DELIVER_JOB, QUEUE, WORKER_HEALTH
from subgraphs.notifications.settings import JobSettings
from subgraphs.notifications.usecase.deliver import Deliver, TryLater

log = logging.getLogger(__name__)


async def deliver_notification(ctx: dict[str, Any], notification_id: str) -> str:
    """arq job: one delivery attempt; `TryLater` is arq's `Retry` with its delay."""
    deliver: Deliver = ctx["deliver"]
    try:
        outcome = await deliver(notification_id)
    except TryLater as later:
        raise Retry(defer=later.delay_seconds) from later
    return outcome.value


class ArqWorkerResource:
    """An arq worker in the running loop; ready while it runs and its health key is fresh."""

    name = "arq-worker"
    critical = True

    def __init__(self, arq: ArqRedis, deliver: Deliver, settings: JobSettings) -> None:
        self._arq = arq
        self._deliver = deliver
        self._settings = settings
        self._worker: Worker | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()
        self._depth = QueueDepth(arq, QUEUE)  # reported at /metrics from start to close

    async def start(self) -> None:
        s = self._settings
        self._closing = asyncio.Event()
        gauges.register(self._depth)
        job = telemetry.traced_job(DELIVER_JOB)(deliver_notification)
        outcomes = JobOutcomes(QUEUE)
        self._worker = Worker(
            functions=[func(job, name=DELIVER_JOB, max_tries=s.max_attempts)],
            queue_name=QUEUE,
            redis_pool=self._arq,
            handle_signals=False,
            ctx={"deliver": self._deliver},
            max_jobs=s.max_jobs,
            job_timeout=s.job_timeout_seconds,
            keep_result=0,
            poll_delay=s.poll_delay_seconds,
            health_check_interval=s.health_check_seconds,
            health_check_key=WORKER_HEALTH,
            job_completion_wait=s.shutdown_grace_seconds,
            job_serializer=self._arq.job_serializer,
            job_deserializer=self._arq.job_deserializer,
            after_job_end=outcomes.after_job_end,
        )
        outcomes.worker = self._worker
        self._task = asyncio.create_task(self._run(self._worker), name="arq-worker")

    async def _run(self, worker: Worker) -> None:
        """Run the worker; arq's loop ends when Redis fails, so it is started again."""
        while not self._closing.is_set():
            try:
                await worker.async_run()
            except Exception as exc:
                log.warning("arq worker stopped; restarting", extra={"error": repr(exc)})
                await pause(self._closing, 1.0)

    async def wake(self, job_id: str) -> None:
        """Start a job this process just queued now rather than at arq's next poll.

        arq claims it as its poll would (a job already running anywhere, or not due, is
        left alone; at `max_jobs` nothing starts). Best effort: the poll is the backstop.
        """
        if self._worker is None or self._closing.is_set():
            return
        try:
            await self._worker.start_jobs([job_id.encode()])
        except (RedisError, OSError) as exc:
            log.warning("could not start a job at once", extra={"error": repr(exc)})

    async def ping(self) -> None:
        if self._task is None or self._task.done():
            raise RuntimeError("the arq worker is not running")
        if not await self._arq.exists(WORKER_HEALTH):
            raise RuntimeError("the arq worker has not reported health recently")

    async def close(self) -> None:
        """Take no new jobs; let running ones finish for up to `shutdown_grace_seconds`, then
        cancel them (arq runs a cancelled job again later)."""
        gauges.unregister(self._depth)
        worker = self._worker
        if worker is None:
            return
        self._closing.set()
        worker.handle_sig_wait_for_completion(signal.SIGTERM)
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await worker.close()  # deletes the health key, closes the pool
