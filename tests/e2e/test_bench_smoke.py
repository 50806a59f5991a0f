"""The end-to-end bench, in its smoke sizes, against the test stack: it runs and its answers hold.

No figure is judged here (the machine is shared); the bench itself checks that
every subscriber saw PAID and every receipt reached the SMTP sink.
"""

from __future__ import annotations

import pytest

from bench.e2e import SMOKE, Target, run_all

pytestmark = pytest.mark.e2e


async def test_the_end_to_end_bench_runs_on_the_test_stack(
    gateway_url,
    gateway_internal_url,
    users_url,
    orders_url,
    payments_url,
    internal_urls,
    smtp_sink,
    stack_redis_url,
    mongo_uri,
):
    target = Target(
        gateway=gateway_url,
        gateway_internal=gateway_internal_url,
        users=users_url,
        orders=orders_url,
        payments=payments_url,
        internal=internal_urls,
        sink=smtp_sink.url,
        redis_url=stack_redis_url,
        mongo_uri=mongo_uri,
    )
    report = await run_all(target, SMOKE)
    print(report)  # shown with -s or on failure

    assert "gateway cost" in report
    assert "fan-out" in report
    assert "max sustainable paid orders/s" in report
    fanout_rows = [line.split() for line in report.splitlines() if " orders x " in line]
    assert len(fanout_rows) == 3
    for row in fanout_rows:
        total, acked, delivered = row[4:7]
        assert total == acked == delivered, row
