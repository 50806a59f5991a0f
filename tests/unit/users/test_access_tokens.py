"""Access tokens carry the role and its scopes; staff tokens are shorter-lived; TOTP secrets
are sealed at rest with a key bound to the account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.exceptions import InvalidTag

from subgraphs.kernel.core.access import Role
from subgraphs.users.credentials.secret_box import SecretBox
from subgraphs.users.credentials.signing_keys import JwtIssuer, load_or_create_signing_key

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_token_says_the_role_and_its_scopes_and_staff_tokens_live_5_minutes(tmp_path: Path):
    key = load_or_create_signing_key(tmp_path / "users.pem")
    issuer = JwtIssuer(
        key,
        issuer="commerce-users",
        audience="commerce",
        ttl=timedelta(minutes=15),
        staff_ttl=timedelta(minutes=5),
        clock=lambda: NOW,
    )

    customer = issuer.issue("u-1", "s-1")
    support = issuer.issue("u-2", "s-2", Role.SUPPORT)

    assert customer.expires_at == NOW + timedelta(minutes=15)
    assert (claims_of(customer.token)["role"], claims_of(customer.token)["scope"]) == (
        "customer",
        "",
    )
    assert support.expires_at == NOW + timedelta(minutes=5)
    assert claims_of(support.token)["role"] == "support"
    assert claims_of(support.token)["scope"] == (
        "customers:read orders:cancel:any orders:read:any refunds:decide"
    )


def test_a_sealed_secret_opens_only_for_its_account_and_key(tmp_path: Path):
    key = load_or_create_signing_key(tmp_path / "users.pem")
    box = SecretBox.derived_from(key.private_key)

    sealed = box.seal("JBSWY3DPEHPK3PXP", "u-1")

    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert box.open(sealed, "u-1") == "JBSWY3DPEHPK3PXP"
    assert SecretBox.derived_from(key.private_key).open(sealed, "u-1") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(InvalidTag):
        box.open(sealed, "u-2")
    with pytest.raises(InvalidTag):
        SecretBox(b"\x01" * 32).open(sealed, "u-1")
