"""CPU per access-token check: a signature check every request against the remembered token.

Every subgraph checks the caller's token on each request. `JwtVerifier`
remembers a verified token until it expires, so a caller costs one EdDSA
check per process. This bench times `verify()` in process (real keys, a real
token, no I/O) with the cache off (`cache_size=0`: today's cost on every
request) and on, in interleaved rounds, and counts the signature checks.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.common import bench_rounds, env_int, percentile, render_table
from subgraphs.kernel.graphql.auth import JwtVerifier, jwks_from_json, static_keys
from subgraphs.kernel.process.settings import AuthSettings
from subgraphs.users.credentials.signing_keys import jwks, signing_key_from_pem

TITLE = "token_verification: CPU per access-token check"
SETTINGS = AuthSettings()


@dataclass
class Row:
    name: str
    verifier: JwtVerifier
    samples_ns: list[int] = field(default_factory=list)
    cpu_ns: int = 0


def _token() -> tuple[str, JwtVerifier, JwtVerifier]:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = signing_key_from_pem(pem)
    now = int(time.time())
    claims = {
        "sub": "user-1",
        "iss": SETTINGS.issuer,
        "aud": SETTINGS.audience,
        "iat": now,
        "exp": now + 900,
    }
    token = jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    keys = static_keys(jwks_from_json(jwks(key)))
    return token, JwtVerifier(SETTINGS, keys, cache_size=0), JwtVerifier(SETTINGS, keys)


async def _batch(row: Row, token: str, count: int) -> None:
    clock = time.perf_counter_ns
    cpu = time.thread_time_ns()
    for _ in range(count):
        start = clock()
        principal = await row.verifier.verify(token)
        row.samples_ns.append(clock() - start)
        if principal.user_id != "user-1":
            raise RuntimeError(f"{row.name}: wrong principal {principal}")
    row.cpu_ns += time.thread_time_ns() - cpu


async def _main(iterations: int, rounds: int) -> str:
    token, every, remembered = _token()
    rows = [Row("check every request (cache off)", every), Row("remembered (cache on)", remembered)]
    for row in rows:  # warm-up, untimed
        await _batch(row, token, 10)
        row.samples_ns.clear()
        row.cpu_ns = 0
    per_round = -(-iterations // rounds)
    for r in range(rounds):
        gc.collect()
        for row in rows[r % 2 :] + rows[: r % 2]:
            await _batch(row, token, per_round)
    base = percentile(sorted(rows[0].samples_ns), 0.5)
    table = [
        [
            row.name,
            f"{percentile(sorted(row.samples_ns), 0.5) / 1e3:.1f}",
            f"{row.cpu_ns / len(row.samples_ns) / 1e3:.1f}",
            f"{base / percentile(sorted(row.samples_ns), 0.5):.1f}x",
        ]
        for row in rows
    ]
    load = os.getloadavg()[0]
    return "\n".join(
        [
            TITLE,
            f"{per_round * rounds:,} checks per row in {rounds} interleaved rounds;"
            f" load average {load:.2f} at the end",
            "",
            render_table(["verifier", "p50 us", "cpu us", "vs cache off"], table),
        ]
    )


def run(*, smoke: bool = False) -> str:
    """Measure and return the table (`smoke`: a few checks per row)."""
    if smoke:
        return asyncio.run(_main(4, 2))
    return asyncio.run(_main(env_int("BENCH_ITERATIONS", 2000), bench_rounds()))
