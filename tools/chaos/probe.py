"""The gateway's latency under faults: a light query every 0.25 s; when it was normal again."""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx

from testkit.client import post
from tools.chaos.customers import Stats
from tools.chaos.faults import Faults

PROBE = "{ products { sku } }"


class Probe:
    """Latency of a light query through the gateway, every 0.25 s."""

    def __init__(self, url: str, stats: Stats) -> None:
        self.url = url
        self.stats = stats
        self.samples: list[tuple[float, float | None]] = []  # (t, seconds or None: failed)

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as http:
            while not stop.is_set():
                began = time.monotonic()
                try:
                    response = await post(http, PROBE)
                    ok = response.status_code == 200 and "errors" not in response.json()
                except (httpx.HTTPError, ValueError):
                    ok = False
                self.samples.append(
                    (began - self.stats.started, time.monotonic() - began if ok else None)
                )
                await asyncio.sleep(0.25)

    def baseline(self, before: float) -> float | None:
        values = [s for t, s in self.samples if t < before and s is not None]
        return statistics.median(values) if values else None

    def recovery(self, faults: Faults) -> tuple[float, float, float | None] | None:
        """(p50 before the faults, the bound of normal, seconds to normal after the last fault)."""
        first = faults.log[0].at if faults.log else self.stats.t()
        last = faults.last_end - self.stats.started if faults.last_end else first
        base = self.baseline(first)
        if base is None:
            return None
        normal = max(3 * base, base + 0.05)
        return base, normal, self.recovered(last, normal)

    def recovered(self, after: float, normal: float, run: int = 8) -> float | None:
        """Seconds after ``after`` from which ``run`` probes in a row were ok and normal."""
        streak_start, streak = None, 0
        for t, s in self.samples:
            if t < after:
                continue
            if s is not None and s <= normal:
                if streak == 0:
                    streak_start = t
                streak += 1
                if streak >= run:
                    return (streak_start or t) - after
            else:
                streak = 0
        return None
