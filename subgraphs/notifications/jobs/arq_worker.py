"""The delivery job and an arq `Worker` owned by an app lifespan (a kernel `Resource`).

The worker runs in the process's event loop next to the stream bridge; it
handles no signals itself (uvicorn does, then the lifespan closes it). On
close it stops taking jobs and lets running ones finish for up to
`shutdown_grace` seconds before cancelling the rest (arq runs a cancelled
job again later), which keeps the resend window of a clean shutdown empty.

Time limits of one job, each inside the next:
- `Deliver` cuts an attempt off after `job_timeout` and handles that like any
  unexpected failure (retried; FAILED with `internal_error` on the last try);
- arq's own hard limit is `job_timeout + in_progress_grace / 2`, which leaves
  the use case time to record the outcome; a job arq cuts off is marked
  failed by arq and left to the stuck-notification sweep;
- another worker takes a job over once its in-progress key expires,
  `job_timeout + in_progress_grace` after it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from arq.connections import ArqRedis
from arq.worker import Retry, Worker, func

from subgraphs.notifications.usecase.deliver import Deliver, TryLater

log = logging.getLogger(__name__)


async def deliver_notification(ctx: dict[str, Any], notification_id: str) -> str:
    """arq job: deliver one notification; a `TryLater` becomes arq's `Retry` with its delay.

    `Deliver` turns every failure into `TryLater` or a FAILED record. Anything that
    still escapes it is retried the same way (arq would otherwise fail the job for good
    and leave the notification QUEUED).
    """
    deliver: Deliver = ctx["deliver"]
    attempt = int(ctx["job_try"])
    try:
        outcome = await deliver(notification_id, attempt=attempt)
    except TryLater as later:
        raise Retry(defer=timedelta(seconds=later.delay_seconds)) from later
    except Exception as exc:
        delay = deliver.retry_delay(attempt)
        log.exception(
            "delivery job failed unexpectedly; retrying",
            extra={"notification_id": notification_id, "attempt": attempt, "retry_in": delay},
        )
        raise Retry(defer=timedelta(seconds=delay)) from exc
    return outcome.value


class ArqWorkerResource:
    """Starts an arq worker in the running loop; ready while its health-check key is fresh."""

    name = "arq-worker"
    critical = True

    def __init__(
        self,
        arq: ArqRedis,
        deliver: Deliver,
        *,
        job_name: str,
        queue_name: str,
        max_attempts: int,
        job_timeout: float,
        in_progress_grace: float,
        max_jobs: int,
        poll_delay: float,
        keep_result: float,
        health_check_interval: float,
        shutdown_grace: float,
    ) -> None:
        self._arq = arq
        self._deliver = deliver
        self._job_name = job_name
        self._queue_name = queue_name
        # The use case gives up on its last attempt; these spare tries only absorb runs
        # cut short by a crash, so arq's own "max retries" never leaves a job unrecorded.
        self._max_tries = max_attempts + 3
        self._job_timeout = job_timeout
        self._in_progress_grace = in_progress_grace
        self._max_jobs = max_jobs
        self._poll_delay = poll_delay
        self._keep_result = keep_result
        self._health_check_interval = health_check_interval
        self._shutdown_grace = shutdown_grace
        self.worker: Worker | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def health_check_key(self) -> str:
        return f"{self._queue_name}:health-check"

    async def start(self) -> None:
        worker = Worker(
            functions=[func(deliver_notification, name=self._job_name, max_tries=self._max_tries)],
            queue_name=self._queue_name,
            redis_pool=self._arq,
            handle_signals=False,
            ctx={"deliver": self._deliver},
            max_jobs=self._max_jobs,
            # The use case cuts an attempt off at `job_timeout`; this hard limit leaves it
            # time to record the outcome and still ends before the in-progress key expires.
            job_timeout=self._job_timeout + self._in_progress_grace / 2,
            keep_result=self._keep_result,
            poll_delay=self._poll_delay,
            health_check_interval=self._health_check_interval,
            job_serializer=self._arq.job_serializer,
            job_deserializer=self._arq.job_deserializer,
        )
        # Another worker takes the job of a dead one over once this key expires.
        worker.in_progress_timeout_s = self._job_timeout + self._in_progress_grace
        self.worker = worker
        self._task = asyncio.create_task(self._run(worker), name="arq-worker")

    async def _run(self, worker: Worker) -> None:
        """Run the worker; a failure (Redis gone) restarts its poll loop after a pause."""
        while True:
            try:
                await worker.async_run()
                return
            except Exception as exc:
                if not worker.allow_pick_jobs:  # closing
                    raise
                log.warning("arq worker stopped; restarting", extra={"error": repr(exc)})
                await asyncio.sleep(1.0)

    async def ping(self) -> None:
        if self._task is None or self._task.done():
            raise RuntimeError("the arq worker is not running")
        if not await self._arq.exists(self.health_check_key):
            raise RuntimeError("the arq worker has not reported health recently")

    async def close(self) -> None:
        worker = self.worker
        if worker is None:
            return
        worker.allow_pick_jobs = False
        running = [task for task in worker.tasks.values() if not task.done()]
        if running:
            _, unfinished = await asyncio.wait(running, timeout=self._shutdown_grace)
            if unfinished:
                log.warning("cancelling unfinished jobs", extra={"jobs": len(unfinished)})
        await worker.close()  # cancels what still runs, deletes the health key, closes the pool
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
