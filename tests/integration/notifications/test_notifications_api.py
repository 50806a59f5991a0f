"""The notifications GraphQL API through the subgraph app, on the real Redis.

Tokens are checked by a stand-in verifier (`token-<user id>`); the real JWT
check is the kernel's, covered by its own tests and by the e2e tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from subgraphs.kernel.auth import Principal
from subgraphs.kernel.errors import Unauthenticated
from subgraphs.kernel.settings import RedisSettings
from subgraphs.notifications.app import build_app
from subgraphs.notifications.domain.notification import Channel, Kind, Notification, Status
from subgraphs.notifications.repository.redis_notifications import RedisNotificationStore
from subgraphs.notifications.settings import NotificationsSettings
from tests.support import error_codes, graphql

pytestmark = pytest.mark.integration

MINE = """query($id: ID!, $first: Int!, $after: String) {
  _entities(representations: [{__typename: "User", id: $id}]) {
    ... on User {
      notifications(first: $first, after: $after) {
        edges { cursor node { id channel kind subject status failureReason createdAt sentAt } }
        pageInfo { hasNextPage endCursor }
      }
      notificationPreferences { email sms updatedAt }
    }
  }
}"""

UPDATE = """mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    preferences { email sms updatedAt }
    userErrors { field message code }
  }
}"""


class TokenPerUser:
    async def verify(self, token: str) -> Principal:
        if not token.startswith("token-"):
            raise Unauthenticated("Invalid or expired access token.")
        return Principal(user_id=token.removeprefix("token-"))


@pytest.fixture
async def api(notifications_redis, redis) -> AsyncIterator[httpx.AsyncClient]:
    settings = NotificationsSettings(app_env="test", redis=RedisSettings(url=notifications_redis))
    app = build_app(settings, verifier=TokenPerUser())
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
            yield client


async def seed(redis, user_id: str, count: int) -> None:
    store = RedisNotificationStore(
        redis, retention=timedelta(days=1), max_per_user=100, sent_key_ttl=timedelta(days=1)
    )
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    for n in range(count):
        await store.create(
            Notification(
                id=f"e{n}:email",
                user_id=user_id,
                event_id=f"e{n}",
                channel=Channel.EMAIL,
                kind=Kind.WELCOME,
                subject=f"Subject {n}",
                status=Status.QUEUED,
                data={},
                created_at=t0 + timedelta(minutes=n),
            )
        )
    await store.mark_sent("e0:email", t0 + timedelta(hours=1), "<r>")


async def test_the_owner_pages_through_notifications_newest_first(api, redis):
    await seed(redis, "u-1", 3)
    body = await graphql(api, MINE, {"id": "u-1", "first": 2}, token="token-u-1")
    user = body["data"]["_entities"][0]
    page = user["notifications"]
    assert [e["node"]["subject"] for e in page["edges"]] == ["Subject 2", "Subject 1"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert user["notificationPreferences"] == {"email": True, "sms": False, "updatedAt": None}

    after = page["pageInfo"]["endCursor"]
    body = await graphql(api, MINE, {"id": "u-1", "first": 2, "after": after}, token="token-u-1")
    [edge] = body["data"]["_entities"][0]["notifications"]["edges"]
    assert edge["node"] == {
        "id": "e0:email",
        "channel": "EMAIL",
        "kind": "WELCOME",
        "subject": "Subject 0",
        "status": "SENT",
        "failureReason": None,
        "createdAt": "2026-03-01T00:00:00+00:00",
        "sentAt": "2026-03-01T01:00:00+00:00",
    }


async def test_someone_else_is_forbidden_and_no_token_is_unauthenticated(api, redis):
    await seed(redis, "u-1", 1)
    other = await graphql(api, MINE, {"id": "u-1", "first": 5}, token="token-u-2")
    anonymous = await graphql(api, MINE, {"id": "u-1", "first": 5})
    one = await graphql(api, 'query { notification(id: "e0:email") { id } }', token="token-u-2")
    assert set(error_codes(other)) == {"FORBIDDEN"}
    assert other["data"] == {"_entities": [None]}
    assert set(error_codes(anonymous)) == {"UNAUTHENTICATED"}
    assert error_codes(one) == ["FORBIDDEN"]
    assert one["data"] == {"notification": None}


async def test_a_bad_cursor_is_a_bad_request(api):
    body = await graphql(api, MINE, {"id": "u-1", "first": 2, "after": "nope"}, token="token-u-1")
    assert "BAD_USER_INPUT" in error_codes(body)


async def test_preferences_are_updated_and_read_back(api):
    changed = await graphql(api, UPDATE, {"input": {"sms": True}}, token="token-u-1")
    payload = changed["data"]["updateNotificationPreferences"]
    assert payload["userErrors"] == []
    assert (payload["preferences"]["email"], payload["preferences"]["sms"]) == (True, True)

    read = await graphql(api, MINE, {"id": "u-1", "first": 1}, token="token-u-1")
    assert read["data"]["_entities"][0]["notificationPreferences"] == payload["preferences"]

    empty = await graphql(api, UPDATE, {"input": {}}, token="token-u-1")
    assert empty["data"]["updateNotificationPreferences"] == {
        "preferences": None,
        "userErrors": [
            {"field": None, "message": "Give email, sms or both.", "code": "NOTHING_TO_UPDATE"}
        ],
    }
    anonymous = await graphql(api, UPDATE, {"input": {"email": False}})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_ready_reports_a_missing_worker_as_degraded(api, redis):
    body = (await api.get("/ready")).json()
    assert body["status"] == "degraded"
    assert body["checks"]["notifications-worker"]["ok"] is False
    await redis.set("notifications:jobs:health-check", "alive", ex=5)
    assert (await api.get("/ready")).json()["status"] == "ready"
