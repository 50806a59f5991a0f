"""Settings of the users subgraph process (prefix `USERS_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from subgraphs.kernel.process.settings import StoredServiceSettings


class UsersSettings(StoredServiceSettings):
    model_config = SettingsConfigDict(env_prefix="USERS_")

    port: int = 4001
    database: str = "users"
    access_token_ttl_seconds: int = 900
    # Sign-in for an email is refused for the rest of the window after this many failures.
    login_max_failures: int = 5
    login_window_seconds: int = 60
    # Sessions (refresh tokens): absolute lifetime from sign-in, and idle timeout since last use.
    session_lifetime_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    session_idle_seconds: int = Field(default=24 * 3600, gt=0)
    # Password reset links: the page they open (`?token=...` is added) and how long they work.
    password_reset_url: str = "http://localhost:3000/reset-password"  # noqa: S105 (a URL)
    password_reset_ttl_seconds: int = Field(default=30 * 60, gt=0)
    # Reset requests per email within the window; more are answered alike but send nothing.
    password_reset_max_requests: int = 3
    password_reset_window_seconds: int = 15 * 60
    # Production: the Ed25519 private key (PKCS#8 PEM) from a secret.
    signing_key_pem: SecretStr | None = None
    # Development: generated here on first start when no PEM is given; git-ignored.
    signing_key_file: Path = Path(".data/keys/users-signing-key.pem")
