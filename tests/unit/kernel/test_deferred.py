"""Deferred work: started without waiting, failures logged, finished before shutdown."""

from __future__ import annotations

import asyncio
import logging

from subgraphs.kernel.process.deferred import Deferred


async def test_work_runs_after_the_caller_moves_on_and_close_waits_for_it():
    deferred, release, done = Deferred(), asyncio.Event(), []

    async def work() -> None:
        await release.wait()
        done.append("work")

    deferred(work, what="a test")
    assert done == []  # the caller did not wait

    release.set()
    await deferred.close()
    assert done == ["work"]


async def test_a_failure_is_logged_and_raised_to_no_one(caplog):
    deferred = Deferred()

    async def fails() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="subgraphs.kernel.process.deferred"):
        deferred(fails, what="a failing test")
        await deferred.close()

    [record] = caplog.records
    assert record.getMessage() == "deferred work failed"
    assert record.work == "a failing test"


async def test_close_cuts_work_short_after_its_timeout(caplog):
    deferred, started = Deferred(close_timeout=0.05), asyncio.Event()
    cancelled = []

    async def hangs() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    deferred(hangs, what="a hanging test")
    await started.wait()
    with caplog.at_level(logging.WARNING, logger="subgraphs.kernel.process.deferred"):
        await deferred.close()

    assert cancelled == [True]
    assert "cut short" in caplog.text
