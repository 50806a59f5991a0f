"""The notifications GraphQL API through the subgraph app, on the real Redis.

Tokens are checked by a stand-in verifier (`token-<user id>`); the real JWT
check is the kernel's, covered by its own tests and by the e2e tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.notifications.domain.notification import (
    Channel,
    FailureReason,
    Kind,
    Notification,
    Status,
)
from subgraphs.notifications.repository.redis_notifications import RedisNotificationStore
from testkit.client import error_codes, graphql
from tests.conftest import INTERNAL_PORT

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


async def seed(redis, user_id: str, count: int) -> None:
    store = RedisNotificationStore(
        redis, retention=timedelta(days=1), max_per_user=500, sent_key_ttl=timedelta(days=1)
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


async def test_someone_elses_list_is_forbidden_and_no_token_is_unauthenticated(api, redis):
    await seed(redis, "u-1", 1)
    other = await graphql(api, MINE, {"id": "u-1", "first": 5}, token="token-u-2")
    anonymous = await graphql(api, MINE, {"id": "u-1", "first": 5})
    assert set(error_codes(other)) == {"FORBIDDEN"}
    assert other["data"] == {"_entities": [None]}
    assert set(error_codes(anonymous)) == {"UNAUTHENTICATED"}


async def test_someone_elses_notification_answers_as_a_missing_one(api, redis):
    await seed(redis, "u-1", 1)
    query = "query($id: ID!) { notification(id: $id) { id subject } }"
    theirs = await graphql(api, query, {"id": "e0:email"}, token="token-u-2")
    missing = await graphql(api, query, {"id": "e9:email"}, token="token-u-2")
    mine = await graphql(api, query, {"id": "e0:email"}, token="token-u-1")
    assert theirs == missing == {"data": {"notification": None}}
    assert mine["data"]["notification"]["id"] == "e0:email"


async def test_failure_reason_is_a_category_never_the_servers_words(api, redis):
    await seed(redis, "u-1", 2)
    store = RedisNotificationStore(
        redis, retention=timedelta(days=1), max_per_user=100, sent_key_ttl=timedelta(days=1)
    )
    detail = "recipient refused: 550 5.1.1 <ann@mx3.corp.internal> [10.20.30.40] unknown"
    await store.mark_failed("e1:email", FailureReason.RECIPIENT_REFUSED, detail)
    # A record written before categories existed, with the raw text in failure_reason.
    await redis.hset(
        "notifications:n:e0:email",
        mapping={"status": "FAILED", "failure_reason": "smtp unavailable: 10.20.30.40:25"},
    )

    body = await graphql(api, MINE, {"id": "u-1", "first": 5}, token="token-u-1")
    nodes = [e["node"] for e in body["data"]["_entities"][0]["notifications"]["edges"]]
    assert [(n["status"], n["failureReason"]) for n in nodes] == [
        ("FAILED", "recipient_refused"),
        ("FAILED", "gave_up"),
    ]
    one = await graphql(
        api, 'query { notification(id: "e1:email") { failureReason } }', token="token-u-1"
    )
    assert one["data"] == {"notification": {"failureReason": "recipient_refused"}}
    for text in (str(body), str(one)):
        assert "10.20.30.40" not in text
        assert "corp.internal" not in text


async def test_a_negative_first_is_a_bad_request(api, redis):
    await seed(redis, "u-1", 2)
    body = await graphql(api, MINE, {"id": "u-1", "first": -1}, token="token-u-1")
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "`first` cannot be negative."


async def test_first_zero_is_an_empty_page_that_does_not_say_more_is_coming(api, redis):
    await seed(redis, "u-1", 3)
    for after in (None, "first page"):
        variables = {"id": "u-1", "first": 0}
        if after:
            start = await graphql(api, MINE, {"id": "u-1", "first": 1}, token="token-u-1")
            variables["after"] = start["data"]["_entities"][0]["notifications"]["pageInfo"][
                "endCursor"
            ]
        body = await graphql(api, MINE, variables, token="token-u-1")
        page = body["data"]["_entities"][0]["notifications"]
        assert page["edges"] == []
        assert page["pageInfo"] == {"hasNextPage": False, "endCursor": None}


async def test_a_large_first_is_capped_and_paging_in_a_loop_ends(api, redis):
    await seed(redis, "u-1", 105)
    body = await graphql(api, MINE, {"id": "u-1", "first": 100_000}, token="token-u-1")
    page = body["data"]["_entities"][0]["notifications"]
    assert len(page["edges"]) == 100  # the documented maximum
    assert page["pageInfo"]["hasNextPage"] is True

    seen: list[str] = []
    after = None
    for _ in range(10):  # a client paging until hasNextPage is false
        variables = {"id": "u-1", "first": 40, "after": after}
        page = (await graphql(api, MINE, variables, token="token-u-1"))["data"]["_entities"][0][
            "notifications"
        ]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert page["pageInfo"]["endCursor"] is not None
        after = page["pageInfo"]["endCursor"]
    else:
        pytest.fail("paging never ended")
    assert len(seen) == len(set(seen)) == 105


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
    body = (await api.get(f"http://n:{INTERNAL_PORT}/ready")).json()
    assert body["status"] == "degraded"
    assert body["checks"]["notifications-worker"]["ok"] is False
    await redis.set("notifications:jobs:health-check", "alive", ex=5)
    assert (await api.get("/ready")).json()["status"] == "ready"
