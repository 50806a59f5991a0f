"""The chaos run (tools/chaos/) with 100 orders: every fault, nothing lost or duplicated, the
stock never oversold and no reservation left once the declined orders expired.

A stack of its own on free ports with two processes per subgraph and worker;
`make chaos` runs the same with 1,000 orders (and a longer reservation TTL).
"""

from __future__ import annotations

import pytest

from tools.chaos import Plan, run

pytestmark = pytest.mark.integration


def test_a_hundred_orders_survive_every_fault(tmp_path):
    plan = Plan(orders=100, replicas=2, duration=50.0, settle=150.0, reservation_ttl=40.0)
    report = run(plan, tmp_path)
    text = report.text()
    print(text)
    assert report.failures == [], text
    assert report.figures["lost"] == 0
    assert report.figures["duplicated"] == 0
    assert report.figures["missing"] == 0
    assert report.figures["extra"] == 0
    assert report.figures["oversold"] == 0
    assert report.figures["left_reserved"] == 0
    assert (report.figures["rejected"] or 0) > 0  # the stock ran out: some orders REJECTED
    assert (report.figures["expired"] or 0) > 0  # declined orders expired, their units released
    faults = [line for line in text.splitlines() if line.startswith("  t=")]
    assert len(faults) == 9, text
    assert all(": back after" in line for line in faults), text  # every part came back
