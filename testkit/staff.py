"""Staff access tokens signed with the users subgraph's key, for tests and test drivers.

Until staff accounts sign in themselves, tests, the chaos run and the bench
mint a staff member's token with the stack's users signing key (the PEM at
`USERS_SIGNING_KEY_FILE`): the token the users subgraph would issue, with
the given scopes in its `scope` claim and no session.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable

import jwt

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.process.settings import AuthSettings
from subgraphs.users.credentials.signing_keys import ALGORITHM, signing_key_from_pem


def mint_token(
    signing_key_pem: bytes,
    scopes: Iterable[Scope | str] = (),
    *,
    user_id: str | None = None,
    ttl_seconds: int = 300,
) -> str:
    """An access token for `user_id` (a fresh `staff-...` id by default) granting `scopes`."""
    key = signing_key_from_pem(signing_key_pem)
    auth = AuthSettings()
    now = int(time.time())
    claims = {
        "sub": user_id or f"staff-{uuid.uuid4().hex[:12]}",
        "iss": auth.issuer,
        "aud": auth.audience,
        "iat": now,
        "exp": now + ttl_seconds,
        "scope": " ".join(sorted(str(s) for s in scopes)),
    }
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
