"""The Ed25519 key that signs access tokens, its JWKS, and the `TokenIssuer` port."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from subgraphs.kernel.core.access import Role, scope_claim
from subgraphs.users.usecase.ports import AccessToken

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    public_jwk: dict[str, Any]


def signing_key_from_pem(pem: bytes) -> SigningKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the users signing key must be an Ed25519 private key")
    jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
    kid = _thumbprint(jwk)
    return SigningKey(kid, key, {**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"})


def load_or_create_signing_key(path: Path) -> SigningKey:
    """Development only: read the key at `path`, generating it (mode 0600) on first start.

    Replicas may start together: the key is written whole to a private file first and
    then linked into place (atomic, refused if the name exists), so no process ever reads
    a half-written key, and the first replica's key is the one every replica uses.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        try:
            os.link(draft, path)
        except FileExistsError:  # another replica put its key in place first
            pass
        finally:
            draft.unlink()
    return signing_key_from_pem(path.read_bytes())


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: a stable `kid` derived from the public key."""
    members = {name: jwk[name] for name in ("crv", "kty", "x")}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def jwks(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.public_jwk for key in keys]}


class JwtIssuer:
    """Issues short-lived access tokens signed with the current key.

    A token carries the account's `role` and the scopes it grants (`scope`, space-separated,
    empty for customers); staff tokens live `staff_ttl` (default: `ttl`).
    """

    def __init__(
        self,
        key: SigningKey,
        *,
        issuer: str,
        audience: str,
        ttl: timedelta,
        clock: Callable[[], datetime],
        staff_ttl: timedelta | None = None,
    ) -> None:
        self._key = key
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl
        self._staff_ttl = staff_ttl or ttl
        self._clock = clock

    def issue(
        self, user_id: str, session_id: str | None = None, role: Role = Role.CUSTOMER
    ) -> AccessToken:
        now = self._clock()
        expires_at = now + (self._staff_ttl if role.is_staff else self._ttl)
        claims: dict[str, Any] = {
            "sub": user_id,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "role": role.value,
            "scope": scope_claim(role),
        }
        if session_id is not None:
            claims["sid"] = session_id
        token = jwt.encode(
            claims, self._key.private_key, algorithm=ALGORITHM, headers={"kid": self._key.kid}
        )
        return AccessToken(token=token, expires_at=expires_at.replace(microsecond=0))
