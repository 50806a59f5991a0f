"""`users.password_reset_requested` through the real worker and SMTP sink.

The event is appended to `events.users` as the users outbox relay would; the
mail is read back from the sink; the notification is read back through the
subgraph's GraphQL API, which shows its subject and never the link.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.notifications.domain.notification import Preferences
from subgraphs.notifications.repository.redis_profiles import RedisPreferences
from testkit.client import graphql
from testkit.waiting import eventually
from tests.integration.notifications.conftest import (
    append,
    idle,
    notification,
    registered,
    status_is,
)
from tools.procs import free_port

pytestmark = pytest.mark.integration

NOTIFICATIONS = """query($id: ID!) {
  _entities(representations: [{__typename: "User", id: $id}]) {
    ... on User {
      notifications(first: 10) { edges { node { id kind subject status failureReason } } }
    }
  }
}"""


async def reset_requested(redis, user_id: str, *, expires_in: timedelta):
    token = f"one-time-{user_id}"
    payload = {
        "user_id": user_id,
        "email": f"{user_id}@example.com",
        "name": "Ann",
        "reset_url": f"http://localhost:3000/reset-password?token={token}",
        "expires_at": (datetime.now(UTC) + expires_in).isoformat(),
    }
    return await append(redis, "users.password_reset_requested", payload), token


async def test_a_reset_link_is_mailed_even_with_email_off_and_never_shown_by_the_api(
    redis, smtp_sink, worker, api
):
    await RedisPreferences(redis).put("u-reset", Preferences(email=False))
    event, token = await reset_requested(redis, "u-reset", expires_in=timedelta(minutes=30))
    reset = f"{event.id}:email"

    await eventually(lambda: status_is(redis, reset, "SENT"), what="the reset mail")
    [mail] = await smtp_sink.messages(to="u-reset@example.com")
    assert mail["subject"] == "Reset your Commerce password"
    raw = await smtp_sink.raw(mail["id"])
    assert f"http://localhost:3000/reset-password?token={token}" in raw

    body = await graphql(api, NOTIFICATIONS, {"id": "u-reset"}, token="token-u-reset")
    [edge] = body["data"]["_entities"][0]["notifications"]["edges"]
    assert edge["node"] == {
        "id": reset,
        "kind": "PASSWORD_RESET",
        "subject": "Reset your Commerce password",
        "status": "SENT",
        "failureReason": None,
    }
    assert token not in json.dumps(body)


async def test_an_expired_reset_request_sends_nothing(redis, smtp_sink, worker):
    event, _ = await reset_requested(redis, "u-late", expires_in=timedelta(seconds=-1))
    await registered(redis, "u-after")  # a later event on the same stream that does send
    await eventually(lambda: smtp_sink.messages(to="u-after"), what="the later mail")
    await eventually(lambda: idle(redis), what="every entry handled, every job finished")

    assert await smtp_sink.messages(to="u-late") == []
    assert await notification(redis, f"{event.id}:email") == {}


async def test_a_reset_that_expires_while_smtp_is_down_is_failed_not_sent_later(
    redis, sink_factory, worker_factory
):
    sink = sink_factory(free_port())  # not started: nothing listens on its SMTP port yet
    worker = worker_factory(sink.smtp_port)
    worker.start()
    worker.wait_ready()
    event, _ = await reset_requested(redis, "u-down", expires_in=timedelta(seconds=2))
    reset = f"{event.id}:email"

    await eventually(lambda: status_is(redis, reset, "FAILED"), what="the expiry")
    record = await notification(redis, reset)
    assert record["failure_reason"] == "expired"
    assert record["last_error"].startswith("expired at")
    sink.process.start()
    sink.process.wait_ready()
    await eventually(lambda: idle(redis), what="every job finished")
    assert await sink.messages() == []
