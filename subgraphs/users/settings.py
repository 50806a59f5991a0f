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
    staff_access_token_ttl_seconds: int = Field(
        default=300,
        gt=0,
        description="How long a staff account's access token works (a role change or a "
        "disabled account shows at the next refresh).",
    )
    second_factor_max_failures: int = Field(
        default=5,
        ge=1,
        description="Wrong second-factor codes in a row that lock a staff account's second factor.",
    )
    second_factor_lock_seconds: int = Field(
        default=15 * 60, gt=0, description="How long a locked second factor stays locked."
    )
    second_factor_challenge_ttl_seconds: int = Field(
        default=5 * 60,
        gt=0,
        description="How long after the password a staff sign-in's code may come.",
    )
    totp_encryption_key: SecretStr | None = Field(
        default=None,
        description="Base64 of 32 bytes: the AES-256-GCM key the TOTP secrets are stored "
        "encrypted with. Unset: a key derived from the signing key (then rotating that key "
        "makes enrolled second factors unreadable; set this first).",
    )
    staff_invitation_url: str = Field(
        default="http://localhost:3001/accept-invitation",
        description="The back-office page staff invitation links open (`?token=...` is added).",
    )
    staff_invitation_ttl_seconds: int = Field(
        default=72 * 3600, gt=0, description="How long a staff invitation link works."
    )
    trusted_proxy_hops: int = Field(
        default=1,
        ge=0,
        description="How many proxies in front append to X-Forwarded-For (the gateway sets it "
        "to the client it saw); the client address is that many entries from the right. 0: "
        "the socket's peer, X-Forwarded-For ignored.",
    )
    login_free_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins for an email before each further attempt must wait.",
    )
    login_delay_seconds: int = Field(
        default=30,
        ge=1,
        description="The first wait after those failures; it doubles with each further failure.",
    )
    login_max_delay_seconds: int = Field(
        default=15 * 60, ge=1, description="The longest wait between sign-in attempts."
    )
    login_memory_seconds: int = Field(
        default=24 * 3600,
        ge=1,
        description="Failures for an email are forgotten this long after its last attempt.",
    )
    login_per_address: int = Field(
        default=30,
        ge=0,
        description="Sign-in attempts per client address within the window (0: unlimited).",
    )
    signup_per_address: int = Field(
        default=10,
        ge=0,
        description="Sign-ups per client address within the window (0: unlimited).",
    )
    signup_per_email: int = Field(
        default=3,
        ge=0,
        description="Sign-ups per email within the window; each one with a taken email mails "
        "its owner (0: unlimited).",
    )
    password_reset_per_address: int = Field(
        default=10,
        ge=0,
        description="Reset requests per client address within the window (0: unlimited).",
    )
    address_window_seconds: int = Field(
        default=15 * 60,
        gt=0,
        description="The window of the per-address and per-email sign-in, sign-up and reset "
        "limits.",
    )
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
    email_verification_url: str = Field(
        default="http://localhost:3000/verify-email",
        description="The page verification links open (`?token=...` is added).",
    )
    email_verification_ttl_seconds: int = Field(
        default=48 * 3600, gt=0, description="How long a verification link works."
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
