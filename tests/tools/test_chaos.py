"""The chaos run (tools/chaos/) with 100 orders: every fault, nothing lost or duplicated.

A stack of its own on free ports with two processes per subgraph and worker;
`make chaos` runs the same with 1,000 orders.
"""

from __future__ import annotations

import pytest

from tools.chaos import Plan, run

pytestmark = pytest.mark.integration


def test_a_hundred_orders_survive_every_fault(tmp_path):
    report = run(Plan(orders=100, replicas=2, duration=50.0, settle=150.0), tmp_path)
    text = report.text()
    print(text)
    assert report.failures == [], text
    assert report.figures["lost"] == 0
    assert report.figures["duplicated"] == 0
    assert report.figures["missing"] == 0
    assert report.figures["extra"] == 0
    faults = [line for line in text.splitlines() if line.startswith("  t=")]
    assert len(faults) == 9, text
    assert all(": back after" in line for line in faults), text  # every part came back
