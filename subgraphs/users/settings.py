"""Settings of the users subgraph process (prefix `USERS_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from subgraphs.kernel.settings import StoredServiceSettings


class UsersSettings(StoredServiceSettings):
    model_config = SettingsConfigDict(env_prefix="USERS_")

    port: int = 4001
    database: str = "users"
    access_token_ttl_seconds: int = 900
    # Sign-in for an email is refused for the rest of the window after this many failures.
    login_max_failures: int = 5
    login_window_seconds: int = 60
    # Production: the Ed25519 private key (PKCS#8 PEM) from a secret.
    signing_key_pem: SecretStr | None = None
    # Development: generated here on first start when no PEM is given; git-ignored.
    signing_key_file: Path = Path(".data/keys/users-signing-key.pem")
