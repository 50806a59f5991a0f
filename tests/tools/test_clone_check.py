"""The copied-code check of `make lint`: jscpd with the project's .jscpd.json.

It compares token shapes with names and literals ignored, over subgraphs/ and the web
apps' sources (storefront/src, backoffice/src). These tests hold its threshold between
the largest match left in subgraphs/ and a copy the size of those the kernel took over,
and check that a renamed copy is still found.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JSCPD = ROOT / "router" / "node_modules" / ".bin" / "jscpd"
CONFIG = ROOT / ".jscpd.json"

# One function and a copy of it with every name and literal changed (118 tokens: a
# copy somewhat smaller than the ones the kernel took over, of 120 and 122).
ORIGINAL = '''\
def ship_order(order, carrier, clock):
    """Hand a paid order to its carrier."""
    if order.status != "PAID":
        raise ValueError("only paid orders ship")
    parcel = Parcel(order.id, weight=sum(line.weight for line in order.lines))
    label = carrier.book(parcel, express=order.total > 100)
    order.status = "SHIPPED"
    order.shipped_at = clock.now()
    order.events.append(Shipped(order.id, label.tracking, at=order.shipped_at))
    audit.note("order shipped", order.id, carrier.name)
    return label
'''
RENAMED_COPY = '''\
def refund_payment(payment, provider, timer):
    """Give a captured payment back to its payer."""
    if payment.state != "CAPTURED":
        raise KeyError("only captured payments refund")
    request = Refund(payment.key, amount=sum(part.amount for part in payment.parts))
    receipt = provider.refund(request, partial=payment.due > 0.5)
    payment.state = "REFUNDED"
    payment.refunded_at = timer.current()
    payment.changes.append(Refunded(payment.key, receipt.reference, at=payment.refunded_at))
    ledger.write("payment refunded", payment.key, provider.code)
    return receipt
'''


def clone_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    """jscpd with the project's config, on `paths` or else on the config's (subgraphs/, apps)."""
    if not JSCPD.exists():
        pytest.fail("router/node_modules has no jscpd: `make lint` installs it")
    return subprocess.run(
        [str(JSCPD), "--config", str(CONFIG), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_subgraphs_and_the_web_apps_hold_no_renamed_copy() -> None:
    result = clone_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Found 0 clones." in result.stdout  # and failOnEmpty: it did read some files


def test_a_copy_with_other_names_and_literals_fails(tmp_path: Path) -> None:
    (tmp_path / "shipping.py").write_text(ORIGINAL, encoding="utf-8")
    (tmp_path / "refunds.py").write_text(RENAMED_COPY, encoding="utf-8")

    result = clone_check(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Found 1 clones." in result.stdout
    assert "refunds.py [1:1 - 11:" in result.stdout  # the whole function, not a part
    assert "shipping.py [1:1 - 11:" in result.stdout
