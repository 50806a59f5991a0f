"""The gateway cost table: a cross-subgraph query through the gateway vs one subgraph direct."""

from __future__ import annotations

import asyncio
import time

import httpx

from bench.common import render_table
from bench.e2e.processes import cpu_seconds, cpu_split
from bench.e2e.shop import create_order, gql, register_users
from bench.e2e.target import Sizes, Target

CROSS_SUBGRAPH = """query Mine { me { name orders(first: 5) { edges { node {
  id status total { amount currency } user { name } } } } } }"""
DIRECT_ME = "query Me { me { id name } }"


async def closed_loop(
    client: httpx.AsyncClient,
    url: str,
    query: str,
    token: str,
    seconds: float,
    concurrency: int,
) -> int:
    """Requests completed by `concurrency` clients sending back to back for `seconds`."""
    stop = time.monotonic() + seconds
    done = 0

    async def one_client() -> None:
        nonlocal done
        while time.monotonic() < stop:
            await gql(client, url, query, token=token)
            done += 1

    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return done


async def gateway_cost(target: Target, sizes: Sizes) -> str:
    async with httpx.AsyncClient(timeout=60) as client:
        [user] = await register_users(client, target, 1)
        for _ in range(5):
            await create_order(client, target, user)
        cases = [
            ("gateway: me + orders + user (3 subgraphs)", f"{target.gateway}/graphql",
             CROSS_SUBGRAPH),
            ("users direct: me", f"{target.users}/graphql", DIRECT_ME),
        ]  # fmt: skip
        results = []
        for name, url, query in cases:
            await closed_loop(client, url, query, user.token, min(1.0, sizes.cost_seconds), 2)
            cpu_before = cpu_seconds(target)
            began = time.monotonic()
            count = await closed_loop(
                client, url, query, user.token, sizes.cost_seconds, sizes.cost_concurrency
            )
            elapsed = time.monotonic() - began
            cpu = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_seconds(target).items()}
            results.append((name, count / elapsed, count, cpu))
    base = results[-1][1]
    rows = [[name, f"{rps:.0f}", f"{rps / base:.2f}x"] for name, rps, _, _ in results]
    table = render_table(["request", "req/s", "vs direct"], rows)
    split = cpu_split([(name, cpu, count) for name, _, count, cpu in results], "request")
    table = f"{table}\n\n{split}"
    return f"gateway cost ({sizes.cost_concurrency} clients)\n{table}"
