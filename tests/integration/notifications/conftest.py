"""Notifications integration fixtures: a Redis of their own, the SMTP sink, worker processes.

The worker tests run the real processes of `make up` (`tools.stack`'s
factories) with fast timings: jobs polled every 50 ms, retries after 0.2 to
0.5 s, a job of a dead worker taken over 12 s after it started (arq's job
limit of 2 s plus its own 10 s), the sweep every 0.2 s.

Timing: tests never sleep for a fixed time and then assert; they poll for a
condition with a generous deadline (`testkit.waiting.eventually`, 20 s by default) that returns
as soon as it holds. A "nothing happened" assertion comes only after a
positive signal that it would have happened by then (`idle`: every entry
acknowledged and every job finished).

Redis: these tests use a redis-server of their own (`notifications_redis`),
never the session one other suites share, and on it the notifications
database of `tests.conftest.REDIS_DATABASES` (4); the `redis` fixture flushes
only that database.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from subgraphs.kernel.core.events import Event, stream_of
from subgraphs.kernel.graphql.auth import Principal
from subgraphs.kernel.graphql.public_errors import Unauthenticated
from subgraphs.kernel.process.settings import RedisSettings
from subgraphs.notifications.app import build_app
from subgraphs.notifications.settings import NotificationsSettings
from tests.conftest import INTERNAL_PORT, redis_db
from tools.procs import ManagedProcess, free_port
from tools.stack import smtp_sink_process, worker_process
from tools.stores import redis_server

FAST_WORKER_ENV = {
    "APP_ENV": "test",
    "NOTIFICATIONS_JOBS_POLL_DELAY_SECONDS": "0.05",
    "NOTIFICATIONS_JOBS_FIRST_RETRY_SECONDS": "0.2",
    "NOTIFICATIONS_JOBS_MAX_RETRY_SECONDS": "0.5",
    "NOTIFICATIONS_JOBS_MAX_ATTEMPTS": "40",
    "NOTIFICATIONS_JOBS_ATTEMPT_TIMEOUT_SECONDS": "1.5",
    "NOTIFICATIONS_JOBS_JOB_TIMEOUT_SECONDS": "2",
    "NOTIFICATIONS_JOBS_HEALTH_CHECK_SECONDS": "1",
    "NOTIFICATIONS_JOBS_SHUTDOWN_GRACE_SECONDS": "1",
    "NOTIFICATIONS_JOBS_SWEEP_INTERVAL_SECONDS": "0.2",
    "NOTIFICATIONS_JOBS_STUCK_AFTER_SECONDS": "0.5",
    "STREAMS_RETRY_AFTER_MS": "300",
    "STREAMS_MAX_DELIVERIES": "3",
    "SMTP_TIMEOUT_SECONDS": "1",
}


@pytest.fixture(scope="session")
def notifications_redis(run_dir: Path) -> Iterator[str]:
    """A redis-server for these tests only (the e2e worker reads the session one), at the
    notifications database."""
    port = free_port()
    server = redis_server(
        port, run_dir / "notifications-redis.log", dir=run_dir / "notifications-redis"
    )
    with server:
        assert server.url
        yield redis_db(server.url, "notifications")


@pytest.fixture
async def redis(notifications_redis: str) -> AsyncIterator[aioredis.Redis]:
    """A client of that Redis, flushed after the test (once its processes stopped)."""
    client = aioredis.Redis.from_url(notifications_redis, decode_responses=True)
    yield client
    await client.flushdb()
    await client.aclose()


@dataclass
class Sink:
    """The SMTP sink process and its HTTP API."""

    process: ManagedProcess
    smtp_port: int
    http_port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    async def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            response = await client.get("/messages", params={"to": to} if to else {})
            response.raise_for_status()
            found: list[dict[str, Any]] = response.json()
            return found

    async def raw(self, message_id: str) -> str:
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            return (await client.get(f"/messages/{message_id}")).text

    async def health(self) -> dict[str, Any]:
        """Messages held, SMTP connections accepted, closed by QUIT and dropped."""
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            found: dict[str, Any] = (await client.get("/health")).json()
            return found

    async def drop_every(self, every: int) -> None:
        """Drop the connection at every `every`th MAIL command from now on (0: never)."""
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            response = await client.put("/drop", params={"every": every})
            response.raise_for_status()

    async def hold(self, on: bool) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            response = await (client.put("/hold") if on else client.delete("/hold"))
            response.raise_for_status()


@pytest.fixture
def sink_factory(tmp_path: Path) -> Iterator[Callable[[int], Sink]]:
    """Makes (not starts) sinks whose SMTP port is given; all stopped after the test."""
    made: list[Sink] = []

    def make(smtp_port: int) -> Sink:
        http_port = free_port()
        process = smtp_sink_process(
            smtp_port, http_port, maildir=tmp_path / "mail", log_dir=tmp_path
        )
        made.append(Sink(process, smtp_port, http_port))
        return made[-1]

    yield make
    for sink in made:
        sink.process.stop()


@pytest.fixture
def smtp_sink(sink_factory: Callable[[int], Sink]) -> Sink:
    sink = sink_factory(free_port())
    sink.process.start()
    sink.process.wait_ready()
    return sink


@pytest.fixture
def worker_factory(
    notifications_redis: str, tmp_path: Path
) -> Iterator[Callable[..., ManagedProcess]]:
    """Makes (not starts) notifications workers sending to a given SMTP port."""
    made: list[ManagedProcess] = []

    def make(smtp_port: int, **env: str) -> ManagedProcess:
        process = worker_process(
            "notifications",
            free_port(),
            env={
                **FAST_WORKER_ENV,
                "REDIS_URL": notifications_redis,
                "SMTP_PORT": str(smtp_port),
                **env,
            },
            log_dir=tmp_path,
        )
        made.append(process)
        return process

    yield make
    for process in made:
        process.stop()


@pytest.fixture
def worker(worker_factory: Callable[..., ManagedProcess], smtp_sink: Sink) -> ManagedProcess:
    """A running worker sending to `smtp_sink`."""
    process = worker_factory(smtp_sink.smtp_port)
    process.start()
    process.wait_ready()
    return process


async def append(
    redis: aioredis.Redis, type_: str, payload: dict[str, Any], event: Event | None = None
) -> Event:
    """XADD an event as its producer's outbox relay would (`event` to add one again)."""
    event = event or Event.create(
        type_, payload, producer=type_.split(".")[0], occurred_at=datetime.now(UTC)
    )
    fields: dict[Any, Any] = event.to_fields()
    await redis.xadd(stream_of(event.producer), fields)
    return event


async def registered(redis: aioredis.Redis, user_id: str, **extra: Any) -> Event:
    """`users.registered`, then `users.email_verified` (returned: the event of the welcome
    mail)."""
    payload = {"user_id": user_id, "email": f"{user_id}@example.com", "name": "Ann", "phone": None}
    await append(redis, "users.registered", {**payload, **extra})
    verified = {k: v for k, v in {**payload, **extra}.items() if k != "phone"}
    return await append(redis, "users.email_verified", verified)


async def all_acknowledged(redis: aioredis.Redis, group: str = "notifications") -> bool:
    """Every entry of every events stream was delivered to `group` and acknowledged."""
    for stream in await redis.keys("events.*"):
        newest = await redis.xrevrange(stream, count=1)
        if not newest:
            continue
        groups = {g["name"]: g for g in await redis.xinfo_groups(stream)}
        info = groups.get(group)
        if info is None or info["pending"] or info["last-delivered-id"] != newest[0][0]:
            return False
    return True


async def idle(redis: aioredis.Redis, queue: str = "notifications:jobs") -> bool:
    """Every events entry acknowledged and every job it enqueued finished (arq's queue holds a
    job from its enqueueing, before the acknowledgement, until it finished)."""
    return await all_acknowledged(redis) and await redis.zcard(queue) == 0


async def notification(redis: aioredis.Redis, notification_id: str) -> dict[str, str]:
    found: dict[str, str] = await redis.hgetall(f"notifications:n:{notification_id}")  # type: ignore[misc]
    return found


async def status_is(redis: aioredis.Redis, notification_id: str, status: str) -> bool:
    return (await notification(redis, notification_id)).get("status") == status


@contextlib.asynccontextmanager
async def sink_held(sink: Sink) -> AsyncIterator[None]:
    await sink.hold(True)
    try:
        yield
    finally:
        await sink.hold(False)


class TokenPerUser:
    async def verify(self, token: str) -> Principal:
        if not token.startswith("token-"):
            raise Unauthenticated("Invalid or expired access token.")
        return Principal(user_id=token.removeprefix("token-"))


@pytest.fixture
async def api(notifications_redis, redis) -> AsyncIterator[httpx.AsyncClient]:
    settings = NotificationsSettings(
        app_env="test", redis=RedisSettings(url=notifications_redis), internal_port=INTERNAL_PORT
    )
    app = build_app(settings, verifier=TokenPerUser())
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
            yield client
