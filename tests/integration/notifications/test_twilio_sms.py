"""SMS through Twilio: the worker's adapter over the official SDK against our local Twilio
Messages API (tools/twilio_api.py, written from Twilio's documentation), whose signed status
callbacks reach the notifications subgraph's `POST /webhooks/twilio/status`.

Processes: the local Twilio API, the notifications subgraph (which takes the callbacks; its
public URL is its own address here) and the worker, on the notifications Redis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from subgraphs.notifications.domain.notification import Preferences
from subgraphs.notifications.repository.redis_profiles import RedisPreferences
from testkit.waiting import eventually
from tests.integration.notifications.conftest import (
    Sink,
    append,
    notification,
    registered,
    status_is,
)
from tools.procs import ManagedProcess, free_port
from tools.stack import subgraph_process, twilio_api_process
from tools.twilio_api import signature

pytestmark = pytest.mark.integration

SID = "AC" + "1" * 32
TOKEN = "test-auth-token"
PHONE = "+14155550123"


class Twilio:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"

    async def messages(self, notification_id: str | None = None) -> list[dict[str, Any]]:
        """What it took, or only the message of one notification (by its callback URL)."""
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            found: list[dict[str, Any]] = (await client.get("/messages")).json()
        if notification_id is None:
            return found
        tail = "?n=" + quote(notification_id, safe="")
        return [m for m in found if m["form"].get("StatusCallback", "").endswith(tail)]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("twilio")


@pytest.fixture(scope="module")
def twilio(logs: Path) -> Iterator[Twilio]:
    """The local Twilio API, shared by this module's tests (each reads its own messages)."""
    port = free_port()
    process = twilio_api_process(port, account_sid=SID, auth_token=TOKEN, log_dir=logs)
    with process:
        yield Twilio(port)


@pytest.fixture(scope="module")
def twilio_env(twilio: Twilio, notifications_redis: str, logs: Path) -> Iterator[dict]:
    """The notifications subgraph running with the twilio provider; the env both processes
    share."""
    port = free_port()
    env = {
        "APP_ENV": "test",
        "REDIS_URL": notifications_redis,
        "SMS_PROVIDER": "twilio",
        "SMS_TWILIO_ACCOUNT_SID": SID,
        "SMS_TWILIO_AUTH_TOKEN": TOKEN,
        "SMS_TWILIO_FROM_NUMBER": "+15005550006",
        "SMS_TWILIO_API_URL": twilio.url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    with subgraph_process("notifications", port, env=env, log_dir=logs):
        yield env


@pytest.fixture
def sms_worker(
    worker_factory: Callable[..., ManagedProcess], smtp_sink: Sink, twilio_env: dict
) -> ManagedProcess:
    process = worker_factory(smtp_sink.smtp_port, **twilio_env)
    process.start()
    process.wait_ready()
    return process


async def _paid_order_sms(redis, user_id: str, phone: str = PHONE) -> str:
    await RedisPreferences(redis).put(user_id, Preferences(email=False, sms=True))
    await registered(redis, user_id, phone=phone)
    paid = await append(
        redis,
        "payments.succeeded",
        {"order_id": f"ord-{user_id}", "user_id": user_id, "payment_id": f"p-{user_id}",
         "amount": "19.90", "currency": "USD"},
    )  # fmt: skip
    return f"{paid.id}:sms"


async def _callbacks_answered(
    twilio: Twilio, notification_id: str, count: int
) -> list[dict[str, Any]] | None:
    messages = await twilio.messages(notification_id)
    if messages and len(messages[-1]["callbacks"]) >= count:
        return messages
    return None


async def test_paid_order_sms_go_to_twilio_and_signed_callbacks_mark_them_delivered_or_failed(
    redis, twilio, sms_worker
):
    notification_id = await _paid_order_sms(redis, "u-tw")
    # Beside it: a number the carrier cannot reach, and one Twilio refuses at once.
    undelivered = await _paid_order_sms(redis, "u-unreach", phone="+14155550300")
    refused = await _paid_order_sms(redis, "u-invalid", phone="+15005550001")
    await eventually(lambda: status_is(redis, notification_id, "DELIVERED"), what="DELIVERED")

    [message] = await eventually(
        lambda: _callbacks_answered(twilio, notification_id, 2), what="both callbacks"
    )
    form = message["form"]
    assert (form["To"], form["From"]) == (PHONE, "+15005550006")
    assert form["Body"].startswith("Commerce:")
    assert "/webhooks/twilio/status?n=" in form["StatusCallback"]
    record = await notification(redis, notification_id)
    assert (record["receipt"], record["report"]) == (message["sid"], "delivered")
    assert record["sent_at"]
    assert "failure_reason" not in record
    # Both callbacks (sent, then delivered) were taken; `sent` recorded nothing of its own.
    assert [c["answer"] for c in message["callbacks"]] == [204, 204]

    await eventually(lambda: status_is(redis, undelivered, "FAILED"), what="undelivered")
    record = await notification(redis, undelivered)
    assert (record["failure_reason"], record["report"]) == ("undelivered", "undelivered")
    assert "30003" in record["last_error"]
    await eventually(lambda: status_is(redis, refused, "FAILED"), what="refused")
    record = await notification(redis, refused)
    assert (record["failure_reason"], record["attempts"]) == ("recipient_refused", "1")
    assert "21211" in record["last_error"]
    assert await twilio.messages(refused) == []  # refused: nothing taken


async def test_replayed_and_late_callbacks_change_nothing_and_forged_ones_are_refused(
    redis, twilio, sms_worker
):
    notification_id = await _paid_order_sms(redis, "u-replay")
    await eventually(lambda: status_is(redis, notification_id, "DELIVERED"), what="DELIVERED")
    [message] = await eventually(
        lambda: _callbacks_answered(twilio, notification_id, 2), what="both callbacks"
    )
    sent, delivered = message["callbacks"]
    before = await notification(redis, notification_id)

    async with httpx.AsyncClient(timeout=5) as client:

        async def post(callback: dict[str, Any], signed: str | None = None) -> int:
            headers = {"X-Twilio-Signature": signed or callback["signature"]}
            answer = await client.post(callback["url"], data=callback["params"], headers=headers)
            return answer.status_code

        # Replayed, and out of order (`sent` again after `delivered`): taken, changes nothing.
        assert await post(delivered) == 204
        assert await post(sent) == 204
        # A signed `undelivered` after `delivered`: the first final report stays.
        late = {**delivered["params"], "MessageStatus": "undelivered", "ErrorCode": "30003"}
        late_signed = signature(TOKEN, delivered["url"], late)
        assert await post({**delivered, "params": late}, late_signed) == 204
        # Forged: another key, a changed field under the old signature, none at all.
        assert (
            await post({**delivered, "params": late}, signature("guess", delivered["url"], late))
            == 403
        )
        assert await post({**delivered, "params": late}, delivered["signature"]) == 403
        other = await _paid_order_sms(redis, "u-forged")
        await eventually(lambda: status_is(redis, other, "DELIVERED"), what="the other SMS")
        forged_url = delivered["url"].split("?")[0] + "?n=" + other.replace(":", "%3A")
        answer = await client.post(forged_url, data={**late, "MessageStatus": "failed"})
        assert answer.status_code == 403

    assert await notification(redis, notification_id) == before
    assert (await notification(redis, other))["status"] == "DELIVERED"
