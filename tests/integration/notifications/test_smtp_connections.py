"""The worker keeps its SMTP connections: reused across mails, replaced when the server drops
one mid-run (every mail still arrives once), closed with QUIT when the worker stops."""

from __future__ import annotations

import pytest

from testkit.waiting import eventually
from tests.integration.notifications.conftest import idle, registered, status_is

pytestmark = pytest.mark.integration

MAILS = 24


async def _welcome_mails(redis, prefix: str) -> list[str]:
    """MAILS users registered (one welcome mail each); their notification ids."""
    return [f"{(await registered(redis, f'{prefix}-{n}')).id}:email" for n in range(MAILS)]


async def _all_sent(redis, ids: list[str]) -> bool:
    return all([await status_is(redis, i, "SENT") for i in ids])


async def test_mails_share_connections_a_dropped_one_loses_or_doubles_nothing_and_stop_quits(
    redis, smtp_sink, worker
):
    first = await _welcome_mails(redis, "u-kept")
    await eventually(lambda: _all_sent(redis, first), what="the first mails")
    kept = await smtp_sink.health()
    assert kept["connections"] < MAILS / 2  # reused (at most SMTP_POOL_SIZE at a time)

    # The server now drops the connection at every third MAIL, before taking anything.
    await smtp_sink.drop_every(3)
    second = await _welcome_mails(redis, "u-dropped")
    await eventually(lambda: _all_sent(redis, second), what="the mails despite the drops")
    await eventually(lambda: idle(redis), what="every job finished")
    health = await smtp_sink.health()
    assert health["dropped"] >= MAILS // 3 - 1
    messages = await smtp_sink.messages()
    assert len(messages) == 2 * MAILS == len({m["message_id"] for m in messages})
    assert all(m["duplicates"] == 0 for m in messages)

    # Kept open until the worker stops; then closed with QUIT.
    assert health["quits"] == 0
    worker.stop()
    assert (await smtp_sink.health())["quits"] >= 1
