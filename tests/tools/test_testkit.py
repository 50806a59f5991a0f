"""testkit's parts that need no running stack: reading Prometheus text, waiting, TOTP codes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from subgraphs.users.domain.second_factor import time_step
from testkit.prometheus import metric_sum, parse_metrics, samples
from testkit.staff_sessions import StaffMember
from testkit.waiting import TimedOut, eventually, eventually_sync

SCRAPE = """\
# HELP mongodb_commands_total MongoDB commands sent.
# TYPE mongodb_commands_total counter
mongodb_commands_total{collection="orders",command="find",database="orders"} 3.0
mongodb_commands_total{collection="orders",command="insert",database="orders"} 2.0
mongodb_commands_total{collection="outbox",command="find",database="orders"} 5.0
mongodb_commands_created{collection="orders",command="find",database="orders"} 1.7e9
broadcast_subscriptions_total 4
http_requests_total{path="/a \\"b\\", c"} 1 1700000000000
"""


def test_samples_carry_their_labels_and_values():
    found = list(samples(SCRAPE))
    assert len(found) == 6
    assert found[0].name == "mongodb_commands_total"
    assert found[0].labels == {"collection": "orders", "command": "find", "database": "orders"}
    assert found[0].value == 3.0
    assert found[-1].labels == {"path": '/a "b", c'}  # escapes and a timestamp


def test_a_sum_takes_the_exact_name_and_the_labels_asked_for():
    assert metric_sum(SCRAPE, "mongodb_commands_total") == 10.0
    assert metric_sum(SCRAPE, "mongodb_commands_total", collection="orders") == 5.0
    assert metric_sum(SCRAPE, "mongodb_commands_total", command="find") == 8.0
    assert metric_sum(SCRAPE, "broadcast_subscriptions_total") == 4.0
    assert metric_sum(SCRAPE, "missing_total") == 0.0
    assert parse_metrics(SCRAPE)["broadcast_subscriptions_total"] == 4.0


async def test_eventually_returns_the_first_truthy_value():
    answers = iter([None, "", "there"])

    async def check() -> str | None:
        return next(answers)

    assert await eventually(check, timeout=5, interval=0) == "there"


async def test_eventually_names_what_it_waited_for():
    async def never() -> None:
        return None

    with pytest.raises(TimedOut, match="waiting for the mail"):
        await eventually(never, timeout=0, what="the mail")
    with pytest.raises(AssertionError):  # a failed wait fails a test as an assertion
        eventually_sync(lambda: None, timeout=0)


def test_a_staff_members_next_code_is_never_a_past_steps() -> None:
    """A past step's code could leave the server's window while a browser types it: the
    current step's first, then the next one's, then a wait for the step after."""
    at = datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC)  # 10 s into its 30-second step
    member = StaffMember("s@example.com", "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP")
    member.last_step = time_step(at) - 5
    assert member.seconds_to_a_fresh_code(at) == 0  # the current step is free
    member.last_step = time_step(at)
    assert member.seconds_to_a_fresh_code(at) == 0  # the next one is accepted as skew
    member.last_step = time_step(at) + 1
    assert member.seconds_to_a_fresh_code(at) == 20  # both used: until the next step
