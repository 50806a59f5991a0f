"""Settings of the payments subgraph process (prefix `PAYMENTS_`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from subgraphs.kernel.process.settings import StoredServiceSettings


class ProviderSettings(BaseSettings):
    """The payment provider and how its calls are retried (prefix `PAYMENTS_PROVIDER_`).

    A call sequence (attempts, backoff waits included) never runs longer
    than `deadline_seconds`; then the payment fails with `provider_unavailable`.
    """

    model_config = SettingsConfigDict(env_prefix="PAYMENTS_PROVIDER_")

    kind: Literal["sandbox", "stripe"] = Field(
        default="sandbox",
        description="The provider: `sandbox` (test tokens, no money) or `stripe` (needs "
        "`STRIPE_API_KEY` and `STRIPE_WEBHOOK_SECRET`).",
    )
    max_attempts: int = Field(default=4, ge=1, description="Calls of one operation at most.")
    first_delay_seconds: float = Field(
        default=0.25, ge=0, description="Backoff before the second call, doubling after."
    )
    max_delay_seconds: float = Field(default=2.0, ge=0, description="Longest backoff wait.")
    attempt_timeout_seconds: float = Field(default=5.0, gt=0, description="One call at most.")
    deadline_seconds: float = Field(
        default=10.0,
        gt=0,
        description="A whole call sequence, waits included; then the payment fails with "
        "`provider_unavailable`.",
    )


class StripeSettings(BaseSettings):
    """Stripe's keys and address (prefix `STRIPE_`), used when the provider is `stripe`."""

    model_config = SettingsConfigDict(env_prefix="STRIPE_")

    api_key: SecretStr | None = Field(
        default=None, description="The secret API key (`sk_live_...`, `sk_test_...`)."
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="The signing secret of the webhook endpoint `/webhooks/stripe` (`whsec_...`).",
    )
    api_base: str = Field(
        default="https://api.stripe.com",
        description="Stripe's API address (tests and `make up` point it at localstripe).",
    )


class PaymentsSettings(StoredServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAYMENTS_")

    port: int = Field(default=4003, description="The port the subgraph listens on.")
    database: str = Field(default="payments", description="Its MongoDB database.")
    provider: ProviderSettings = Field(default_factory=ProviderSettings)
    stripe: StripeSettings = Field(default_factory=StripeSettings)
    lease_seconds: float = Field(
        default=30.0,
        description="A charge or refund in flight is leased this long (longer than the "
        "provider deadline); a lapsed lease means its process died and the work is resumed "
        "(by a duplicate request or the recovery loop).",
    )
    duplicate_wait_seconds: float = Field(
        default=15.0,
        description="How long a duplicate request waits for the same payment in flight before "
        "answering PAYMENT_IN_PROGRESS.",
    )
    resume_interval_seconds: float = Field(
        default=5.0, description="How often the recovery loop looks for lapsed leases."
    )
    stale_after_seconds: float = Field(
        default=600.0,
        gt=0,
        description="A payment PROCESSING longer than this counts in `payments_in_progress_stale` "
        "(an alert fires while it is above 0).",
    )
    refund_request_days: int = Field(
        default=30,
        ge=1,
        description="A customer may request a refund this many days after the payment "
        "succeeded (REFUND_WINDOW_CLOSED after).",
    )

    @model_validator(mode="after")
    def _lease_outlasts_provider_calls(self) -> PaymentsSettings:
        if self.lease_seconds <= self.provider.deadline_seconds:
            raise ValueError("PAYMENTS_LEASE_SECONDS must exceed the provider deadline")
        return self

    @model_validator(mode="after")
    def _stripe_has_its_keys(self) -> PaymentsSettings:
        if self.provider.kind == "stripe" and not (
            self.stripe.api_key and self.stripe.webhook_secret
        ):
            raise ValueError(
                "PAYMENTS_PROVIDER_KIND=stripe needs STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET"
            )
        return self
