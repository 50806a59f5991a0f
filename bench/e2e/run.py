"""The three tables, against a given stack (`run_all`) or a stack of the bench's own (`run`)."""

from __future__ import annotations

import asyncio
import signal
import sys

from bench.e2e.cost import gateway_cost
from bench.e2e.events import events
from bench.e2e.fanout import fanout
from bench.e2e.stack import bench_stack
from bench.e2e.target import SMOKE, Sizes, Target


async def run_all(target: Target, sizes: Sizes) -> str:
    """The three tables, one after the other (each loads the whole stack)."""
    reports = [
        await gateway_cost(target, sizes),
        await fanout(target, sizes),
        await events(target, sizes),
    ]
    return "\n\n".join(reports)


def run(*, smoke: bool = False) -> str:
    """`python -m bench e2e`: start a stack of our own on free ports and measure it.

    `smoke`: the tiny sizes (`make test` runs those against the test stack
    instead, in tests/e2e/test_bench_smoke.py).
    """
    # SIGTERM unwinds like Ctrl-C, so the stack's processes are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with bench_stack() as target:
        return asyncio.run(run_all(target, SMOKE if smoke else Sizes()))
