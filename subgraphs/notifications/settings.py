"""Settings of the notifications processes: the subgraph (`NOTIFICATIONS_`) and its worker
(`NOTIFICATIONS_WORKER_`), with the store group they share (`NOTIFICATIONS_STORE_`) and the
worker's jobs (`NOTIFICATIONS_JOBS_`) and channels (`SMTP_`, `SMS_`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from subgraphs.kernel.process.settings import RedisSettings, ServiceSettings, StreamSettings

# The status callback route of the subgraph, also public at the gateway (router/edge/routes.ts).
TWILIO_STATUS_PATH = "/webhooks/twilio/status"


class StoreSettings(BaseSettings):
    """Retention of what the context keeps in Redis."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_STORE_")

    retention_days: float = Field(default=90, description="How long a notification is kept.")
    max_per_user: int = Field(default=500, description="Newest notifications kept per user.")
    sent_key_days: float = Field(
        default=30,
        description="How long a sent message's receipt is kept; longer than "
        "max_event_age_days, so an event can never be notified twice.",
    )
    max_event_age_days: float = Field(
        default=7, description="Events older than this are not notified about (counted, logged)."
    )
    order_summary_days: float = Field(
        default=30,
        description="How long an order's total is kept for receipts whose payment event has "
        "no amount.",
    )

    @property
    def retention(self) -> timedelta:
        return timedelta(days=self.retention_days)

    @property
    def sent_key_ttl(self) -> timedelta:
        return timedelta(days=self.sent_key_days)

    @property
    def max_event_age(self) -> timedelta:
        return timedelta(days=self.max_event_age_days)

    @property
    def order_summary_ttl(self) -> timedelta:
        return timedelta(days=self.order_summary_days)


class JobSettings(BaseSettings):
    """Delivery jobs: attempts and backoff (the one retry policy), time limits, the arq worker."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_JOBS_")

    max_attempts: int = Field(default=8, description="Delivery attempts of a notification.")
    first_retry_seconds: float = Field(
        default=2.0, description="Backoff after the first failed attempt, doubling after."
    )
    max_retry_seconds: float = Field(default=300.0, description="Longest backoff wait.")
    attempt_timeout_seconds: float = Field(
        default=25.0,
        description="One attempt, the send included; past it the attempt failed (and is retried).",
    )
    job_timeout_seconds: float = Field(
        default=30.0,
        description="arq's hard limit on a job, leaving the attempt time to record its "
        "outcome; arq hands the job of a dead worker to another one 10 s after it.",
    )
    sweep_interval_seconds: float = Field(
        default=30.0,
        description="The sweep: this often, a notification QUEUED for stuck_after_seconds "
        "whose job arq dropped gets a job again.",
    )
    stuck_after_seconds: float = Field(
        default=60.0, description="How long a QUEUED notification waits before the sweep acts."
    )
    max_jobs: int = Field(default=20, description="Jobs one worker process runs at once.")
    poll_delay_seconds: float = Field(
        default=0.5,
        description="arq's poll of its queue, for retries that come due and jobs queued by "
        "other processes (a job this worker queued itself starts at once).",
    )
    health_check_seconds: float = Field(
        default=10.0, description="How often arq rewrites its health line in Redis."
    )
    shutdown_grace_seconds: int = Field(
        default=5,
        description="On shutdown, running jobs get this long to finish before they are cancelled.",
    )

    @property
    def stuck_after(self) -> timedelta:
        return timedelta(seconds=self.stuck_after_seconds)

    @model_validator(mode="after")
    def _job_outlasts_attempt(self) -> JobSettings:
        if self.job_timeout_seconds <= self.attempt_timeout_seconds:
            raise ValueError("job_timeout_seconds must be longer than attempt_timeout_seconds")
        return self


class SmtpSettings(BaseSettings):
    """Where mail goes. The defaults are the local sink of `make up` (tools/smtp_sink.py)."""

    model_config = SettingsConfigDict(env_prefix="SMTP_")

    host: str = Field(default="127.0.0.1", description="The mail server.")
    port: int = Field(default=1025, description="Its port.")
    tls: Literal["none", "starttls", "tls"] = Field(
        default="none", description="Transport security."
    )
    username: str | None = Field(default=None, description="Login, when the server wants one.")
    password: SecretStr | None = Field(default=None, description="Its password.")
    sender: str = Field(
        default="Commerce <no-reply@commerce.example>", description="The From address."
    )
    message_id_domain: str = Field(
        default="notifications.commerce.example",
        description="Right-hand side of the deterministic Message-IDs.",
    )
    timeout_seconds: float = Field(default=10.0, description="One SMTP command at most.")
    pool_size: int = Field(
        default=4,
        ge=0,
        description="SMTP connections kept open and reused across mails, each carrying one "
        "mail at a time (more concurrent sends wait for one); 0 opens a connection per mail.",
    )
    pool_idle_seconds: float = Field(
        default=60.0,
        description="A kept connection idle this long is closed rather than reused (servers "
        "drop idle clients: Postfix after 300 s).",
    )


class SmsSettings(BaseSettings):
    """The SMS provider. `local` records messages in Redis (`notifications:sms:outbox`);
    `twilio` sends them through Twilio's Messages API, with a status callback to
    `<PUBLIC_BASE_URL>/webhooks/twilio/status` (the subgraph checks its signature with the
    auth token). Both processes read these: the worker sends, the subgraph takes the callback."""

    model_config = SettingsConfigDict(env_prefix="SMS_", populate_by_name=True)

    provider: Literal["local", "twilio"] = Field(
        default="local",
        description="`local` records messages in Redis; `twilio` sends them through Twilio.",
    )
    local_keep: int = Field(default=1000, description="Messages the local provider keeps.")
    twilio_account_sid: SecretStr | None = Field(
        default=None, description="Twilio account SID (required with `twilio`; never logged)."
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None,
        description="Twilio auth token: the API login and the callbacks' signing key (required "
        "with `twilio`; never logged).",
    )
    twilio_from_number: SecretStr | None = Field(
        default=None,
        description="The sender: a Twilio number in E.164 (required with `twilio`; not logged).",
    )
    twilio_api_url: str = Field(
        default="https://api.twilio.com",
        description="Twilio's REST API; tests point it at a local server (tools/twilio_api.py).",
    )
    twilio_timeout_seconds: float = Field(default=10.0, description="One API request at most.")
    public_base_url: str | None = Field(
        default=None,
        validation_alias="PUBLIC_BASE_URL",
        description="The shop's public origin, e.g. `https://shop.example.com` (the gateway "
        "routes `/webhooks/...` under it): status callbacks go to it and their signatures are "
        "checked against it (required with `twilio`).",
    )

    @model_validator(mode="after")
    def _twilio_is_configured(self) -> SmsSettings:
        if self.provider == "twilio":
            missing = [
                name
                for name, value in (
                    ("SMS_TWILIO_ACCOUNT_SID", self.twilio_account_sid),
                    ("SMS_TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                    ("SMS_TWILIO_FROM_NUMBER", self.twilio_from_number),
                    ("PUBLIC_BASE_URL", self.public_base_url),
                )
                if not value or (isinstance(value, SecretStr) and not value.get_secret_value())
            ]
            if missing:
                raise ValueError(f"SMS_PROVIDER=twilio needs {', '.join(missing)}")
        return self

    @property
    def status_callback_url(self) -> str:
        """Where Twilio posts a message's status, without the query (see channels/twilio_sms)."""
        return f"{(self.public_base_url or '').rstrip('/')}{TWILIO_STATUS_PATH}"


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_")

    port: int = Field(default=4004, description="The port the subgraph listens on.")
    redis: RedisSettings = Field(default_factory=RedisSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)


class NotificationsWorkerSettings(ServiceSettings):
    """The worker process; `port` serves its /health, /ready and /metrics."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_WORKER_")

    port: int = Field(
        default=4014,
        description="The port of its /health, /ready and /metrics: internal, never published.",
    )
    internal_port: int | None = Field(
        default=None, description="Unused: the worker's one port is internal already."
    )
    redis: RedisSettings = Field(default_factory=RedisSettings)
    streams: StreamSettings = Field(default_factory=StreamSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
