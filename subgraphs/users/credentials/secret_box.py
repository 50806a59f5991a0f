"""Encryption of the TOTP secrets at rest: AES-256-GCM, bound to the account's id.

The key is `USERS_TOTP_ENCRYPTION_KEY` (base64 of 32 bytes) when set; otherwise
it is derived (HKDF-SHA256) from the token signing key, so a copy of the
database alone reveals no secret. Rotating the signing key without setting
this key first would make the enrolled second factors unreadable.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = "v1"
_NONCE_BYTES = 12


class SecretBox:
    """`seal` and `open` short secrets; the associated data (an account id) must match."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the TOTP encryption key must be 32 bytes (base64 in settings)")
        self._aead = AESGCM(key)

    @classmethod
    def from_base64(cls, encoded: str) -> SecretBox:
        return cls(base64.b64decode(encoded.strip(), validate=True))

    @classmethod
    def derived_from(cls, signing_key: Ed25519PrivateKey) -> SecretBox:
        raw = signing_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"users totp secrets")
        return cls(hkdf.derive(raw))

    def seal(self, plaintext: str, associated: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), associated.encode())
        return f"{_VERSION}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, sealed: str, associated: str) -> str:
        version, _, body = sealed.partition(":")
        if version != _VERSION:
            raise ValueError("unknown sealed-secret format")
        raw = base64.b64decode(body)
        nonce, ciphertext = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, ciphertext, associated.encode()).decode()
