"""Access tokens a test signs itself with a running stack's signing key.

Until staff accounts can sign in, a staff caller is a token the test mints: the users
subgraph's key (the stack's PEM file: `.data/keys/users-signing-key.pem` for `make up`, the
e2e stack's under its run folder) signs the claims `users` would issue, plus a `scope` claim.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable

import jwt

from subgraphs.kernel.core.access import Role, Scope, scope_claim
from subgraphs.users.credentials.signing_keys import ALGORITHM, signing_key_from_pem

ISSUER = "commerce-users"  # AuthSettings' defaults, which every stack of the tests runs with
AUDIENCE = "commerce"


def mint_access_token(
    signing_key_pem: bytes,
    user_id: str,
    *,
    role: Role | None = None,
    scopes: Iterable[Scope | str] = (),
    session_id: str | None = None,
    ttl_seconds: int = 300,
) -> str:
    """An access token for `user_id` signed with the stack's key: its `scope` claim is the
    role's scopes (`role`) or `scopes` as given (none for a customer); `sid` is a new session
    unless `session_id` names one (revoking that session refuses the token)."""
    key = signing_key_from_pem(signing_key_pem)
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": user_id,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "sid": session_id or f"test-{uuid.uuid4().hex}",
    }
    granted = scope_claim(role) if role is not None else " ".join(sorted(map(str, scopes)))
    if granted:
        claims["scope"] = granted
    if role is not None:
        claims["role"] = role.value  # as the users subgraph writes it (shown by the back office)
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
