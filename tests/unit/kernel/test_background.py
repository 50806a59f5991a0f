"""BackgroundTask: restarts a crashing loop, and says so in /ready."""

from __future__ import annotations

import asyncio

import pytest

from subgraphs.kernel.process.background import BackgroundTask, every


async def test_a_loop_that_keeps_crashing_is_restarted_and_reported_unhealthy():
    runs = 0

    async def crashing(stop: asyncio.Event) -> None:
        nonlocal runs
        runs += 1
        raise RuntimeError("bug")

    task = BackgroundTask("crasher", crashing, restart_seconds=0.01)
    await task.start()
    for _ in range(200):
        if runs >= BackgroundTask.CRASHES_UNHEALTHY:
            break
        await asyncio.sleep(0.01)
    with pytest.raises(RuntimeError, match="crashed"):
        await task.ping()
    await task.close()
    assert runs >= BackgroundTask.CRASHES_UNHEALTHY


async def test_a_healthy_loop_pings_and_stops_on_close():
    started, stopped = asyncio.Event(), asyncio.Event()

    async def waiting(stop: asyncio.Event) -> None:
        started.set()
        await stop.wait()
        stopped.set()

    task = BackgroundTask("waiter", waiting)
    await task.start()
    await asyncio.wait_for(started.wait(), 5)
    await task.ping()
    await task.close()
    assert stopped.is_set()
    with pytest.raises(RuntimeError, match="not running"):
        await task.ping()


async def test_periodic_work_survives_a_failing_pass_and_stops_when_asked():
    runs: list[int] = []
    second_run = asyncio.Event()

    class Failing:
        async def __call__(self) -> int:
            runs.append(1)
            if len(runs) == 1:
                raise ConnectionError("Redis away")
            second_run.set()
            return 0

    stop = asyncio.Event()
    task = asyncio.ensure_future(every(0.01, Failing(), name="sweep")(stop))

    await asyncio.wait_for(second_run.wait(), 10)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert len(runs) >= 2
