"""SMS_PROVIDER=twilio needs its credentials and the public URL, and never shows them."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from subgraphs.notifications.channels.twilio_sms import status_callback
from subgraphs.notifications.settings import SmsSettings


def test_twilio_without_its_settings_does_not_start():
    with pytest.raises(ValidationError) as raised:
        SmsSettings(provider="twilio")
    for name in ("SMS_TWILIO_AUTH_TOKEN", "SMS_TWILIO_FROM_NUMBER", "PUBLIC_BASE_URL"):
        assert name in str(raised.value)
    assert SmsSettings().provider == "local"  # the default needs none of them


def test_secrets_stay_out_of_reprs_and_the_callback_url_is_public():
    settings = SmsSettings(
        provider="twilio",
        twilio_account_sid=SecretStr("AC-secret-sid"),
        twilio_auth_token=SecretStr("secret-token"),
        twilio_from_number=SecretStr("+15005550006"),
        public_base_url="https://shop.example.com/",
    )
    for secret in ("AC-secret-sid", "secret-token", "+15005550006"):
        assert secret not in repr(settings)
    assert status_callback(settings, "e-1:sms") == (
        "https://shop.example.com/webhooks/twilio/status?n=e-1%3Asms"
    )
