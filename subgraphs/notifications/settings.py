"""Settings of the notifications processes: the subgraph (`NOTIFICATIONS_`) and its worker
(`NOTIFICATIONS_WORKER_`), with the store group they share (`NOTIFICATIONS_STORE_`) and the
worker's jobs (`NOTIFICATIONS_JOBS_`) and channels (`SMTP_`, `SMS_`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from subgraphs.kernel.process.settings import RedisSettings, ServiceSettings, StreamSettings


class StoreSettings(BaseSettings):
    """Retention of what the context keeps in Redis."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_STORE_")

    retention_days: float = 90
    max_per_user: int = 500
    # Longer than max_event_age_days, so an event can never be notified twice.
    sent_key_days: float = 30
    # Events older than this are not notified about (counted, logged).
    max_event_age_days: float = 7
    order_summary_days: float = 30

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

    max_attempts: int = 8
    first_retry_seconds: float = 2.0
    max_retry_seconds: float = 300.0
    # One attempt, the send included; past it the attempt failed (and is retried).
    attempt_timeout_seconds: float = 25.0
    # arq's hard limit on a job, leaving the attempt time to record its outcome. arq hands
    # the job of a dead worker to another one 10 s after this limit (its own rule).
    job_timeout_seconds: float = 30.0
    # The sweep: every `sweep_interval_seconds`, a notification QUEUED for `stuck_after_seconds`
    # whose job arq dropped gets a job again.
    sweep_interval_seconds: float = 30.0
    stuck_after_seconds: float = 60.0
    max_jobs: int = 20
    # arq's poll of its queue. A job this worker queued itself starts at once (`wake`); the
    # poll picks up retries that come due and jobs queued by other processes.
    poll_delay_seconds: float = 0.5
    health_check_seconds: float = 10.0
    # On shutdown, running jobs get this long to finish before they are cancelled.
    shutdown_grace_seconds: int = 5

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

    host: str = "127.0.0.1"
    port: int = 1025
    tls: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = "Commerce <no-reply@commerce.example>"
    # Right-hand side of the deterministic Message-IDs.
    message_id_domain: str = "notifications.commerce.example"
    timeout_seconds: float = 10.0


class SmsSettings(BaseSettings):
    """The SMS provider. `local` records messages in Redis (`notifications:sms:outbox`)."""

    model_config = SettingsConfigDict(env_prefix="SMS_")

    provider: Literal["local"] = "local"
    local_keep: int = 1000


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_")

    port: int = 4004
    redis: RedisSettings = Field(default_factory=RedisSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)


class NotificationsWorkerSettings(ServiceSettings):
    """The worker process; `port` serves its /health, /ready and /metrics."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_WORKER_")

    port: int = 4014
    redis: RedisSettings = Field(default_factory=RedisSettings)
    streams: StreamSettings = Field(default_factory=StreamSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
