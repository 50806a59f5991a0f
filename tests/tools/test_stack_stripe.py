"""`PAYMENTS_PROVIDER_KIND=stripe make up`: localstripe started first, the keys and address set."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tools.stack import Stack, free_layout
from tools.stack.startup import LOCAL_STRIPE_KEYS, register_stripe_webhook, start_localstripe

PICKLE = Path("/tmp/localstripe.pickle")  # noqa: S108 (where localstripe itself would write)


@pytest.fixture(autouse=True)
def no_provider_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PAYMENTS_PROVIDER_KIND", "STRIPE_API_BASE", *LOCAL_STRIPE_KEYS):
        monkeypatch.delenv(name, raising=False)


def test_payments_on_stripe_get_a_localstripe_of_their_own(tmp_path: Path) -> None:
    before = PICKLE.stat().st_mtime if PICKLE.exists() else None
    stack = Stack(log=lambda _: None)
    stack.env["PAYMENTS_PROVIDER_KIND"] = "stripe"
    config = free_layout(tmp_path / "data", tmp_path / "run")
    try:
        url = start_localstripe(stack, config)
        assert url == f"http://127.0.0.1:{config.localstripe_port}"
        assert stack.env["STRIPE_API_BASE"] == url
        assert stack.env["STRIPE_API_KEY"] == LOCAL_STRIPE_KEYS["STRIPE_API_KEY"]
        listed = httpx.get(f"{url}/v1/payment_intents", auth=(stack.env["STRIPE_API_KEY"], ""))
        assert listed.status_code == 200
        register_stripe_webhook(url, config.gateway_port, stack.env["STRIPE_WEBHOOK_SECRET"])
        created = httpx.post(
            f"{url}/v1/payment_intents",
            auth=(stack.env["STRIPE_API_KEY"], ""),
            data={"amount": "100", "currency": "usd"},
        )
        assert created.status_code == 200
    finally:
        stack.stop_all()
    assert (PICKLE.stat().st_mtime if PICKLE.exists() else None) == before  # state in memory


def test_the_sandbox_and_a_stripe_address_of_ones_own_start_nothing(tmp_path: Path) -> None:
    config = free_layout(tmp_path / "data", tmp_path / "run")
    sandbox, own = Stack(log=lambda _: None), Stack(log=lambda _: None)
    own.env.update(
        {"PAYMENTS_PROVIDER_KIND": "stripe", "STRIPE_API_BASE": "https://api.stripe.com"}
    )

    assert start_localstripe(sandbox, config) is None
    assert start_localstripe(own, config) is None
    assert sandbox.parts == own.parts == []
