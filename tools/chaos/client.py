"""GraphQL over HTTP to the gateway, each failure classified as worth a retry or final."""

from __future__ import annotations

import asyncio
import time
from collections import Counter as Tally
from dataclasses import dataclass, field
from typing import Any

import httpx

CLIENT_CODES = {"BAD_USER_INPUT", "FORBIDDEN"}


class Retry(Exception):
    """A request whose outcome is unknown or failed for a passing reason."""


class Unauthenticated(Exception):
    pass


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    retries: Tally[str] = field(default_factory=Tally)
    causes: Tally[str] = field(default_factory=Tally)
    inflight: Tally[str] = field(default_factory=Tally)
    done: int = 0

    def t(self) -> float:
        return time.monotonic() - self.started


class Gateway:
    """GraphQL over HTTP to the gateway, classifying failures as Retry or final."""

    def __init__(self, url: str, stats: Stats) -> None:
        self.url = url
        self.stats = stats
        self.http = httpx.AsyncClient(
            base_url=url, timeout=30, limits=httpx.Limits(max_connections=200)
        )

    async def call(
        self, op: str, query: str, variables: dict[str, Any] | None, token: str | None
    ) -> dict[str, Any]:
        """The operation's `data`; Retry when unknown or transient, Unauthenticated, or final."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self.stats.inflight[op] += 1
        try:
            response = await self.http.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
        except httpx.HTTPError as exc:
            raise Retry(f"{op}: {type(exc).__name__}") from exc
        finally:
            self.stats.inflight[op] -= 1
        if response.status_code >= 500 or response.status_code == 429:
            raise Retry(f"{op}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise Retry(f"{op}: not JSON (HTTP {response.status_code})") from exc
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        if "UNAUTHENTICATED" in codes:
            raise Unauthenticated(op)
        data = body.get("data")
        if codes or not data or any(v is None for v in data.values()):
            if set(codes) & CLIENT_CODES:
                raise RuntimeError(f"{op} refused: {body.get('errors')}")
            raise Retry(f"{op}: {codes or 'no data'}")
        result: dict[str, Any] = data
        return result


async def backoff(attempt: int) -> None:
    await asyncio.sleep(min(0.2 * 1.5**attempt, 2.0))
