"""Settings of the users subgraph process (prefix `USERS_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from subgraphs.kernel.process.settings import StoredServiceSettings


class UsersSettings(StoredServiceSettings):
    model_config = SettingsConfigDict(env_prefix="USERS_")

    port: int = Field(default=4001, description="The port the subgraph listens on.")
    database: str = Field(default="users", description="Its MongoDB database.")
    access_token_ttl_seconds: int = Field(
        default=900, description="How long an access token works."
    )
    login_max_failures: int = Field(
        default=5,
        description="Sign-in for an email is refused for the rest of the window after this "
        "many failures.",
    )
    login_window_seconds: int = Field(default=60, description="The sign-in throttle's window.")
    session_lifetime_seconds: int = Field(
        default=7 * 24 * 3600,
        gt=0,
        description="A session's (refresh token's) absolute lifetime from sign-in.",
    )
    session_idle_seconds: int = Field(
        default=24 * 3600, gt=0, description="A session ends after this long without a refresh."
    )
    password_reset_url: str = Field(
        default="http://localhost:3000/reset-password",
        description="The page reset links open (`?token=...` is added).",
    )
    password_reset_ttl_seconds: int = Field(
        default=30 * 60, gt=0, description="How long a reset link works."
    )
    password_reset_max_requests: int = Field(
        default=3,
        description="Reset requests per email within the window; more are answered alike but "
        "send nothing.",
    )
    password_reset_window_seconds: int = Field(
        default=15 * 60, description="The reset-request throttle's window."
    )
    signing_key_pem: SecretStr | None = Field(
        default=None,
        description="The Ed25519 private key (PKCS#8 PEM) tokens are signed with; required in "
        "production (from a secret).",
    )
    signing_key_file: Path = Field(
        default=Path(".data/keys/users-signing-key.pem"),
        description="Development: the key generated here on first start when no PEM is given "
        "(git-ignored).",
    )
