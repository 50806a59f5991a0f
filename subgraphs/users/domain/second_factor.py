"""The second factor staff sign in with: TOTP (RFC 6238) and one-time recovery codes.

Staff enrol once, when their account is made: the TOTP secret goes to their
authenticator app as an `otpauth://` URI, with 10 recovery codes, and
neither is ever shown again. A code is six digits from HMAC-SHA1 over the
30-second time step; the step before and the step after the current one
are accepted too (clocks drift), and a step is accepted once: the last one
used is remembered, so a code seen over a shoulder cannot be replayed.
Recovery codes are 80 random bits; only their SHA-256 is stored, and each
one works once.

After `max_failures` wrong codes in a row the second factor locks for
`lock` (a right code meanwhile is refused too); the count starts again
after a success or a lock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from urllib.parse import quote, urlencode

ISSUER = "Commerce"
STEP_SECONDS = 30
DIGITS = 6
SKEW_STEPS = 1
RECOVERY_CODES = 10


@dataclass(frozen=True, slots=True)
class SecondFactorPolicy:
    max_failures: int  # wrong codes in a row before the lock
    lock: timedelta  # how long a lock lasts
    challenge_lifetime: timedelta  # how long after the password the code may come


@dataclass(frozen=True, slots=True)
class SecondFactor:
    """A staff account's enrolled second factor. `secret` is plain here; stores encrypt it."""

    user_id: str
    secret: str  # base32, as authenticator apps take it
    recovery_hashes: frozenset[str]
    last_step: int = -1  # the newest time step a code was accepted for
    failures: int = 0  # wrong codes since the last success or lock
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime, policy: SecondFactorPolicy) -> SecondFactor:
        """One more wrong code; the `max_failures`-th locks it (and the count starts again)."""
        failures = self.failures + 1
        if failures >= policy.max_failures:
            return replace(self, failures=0, locked_until=now + policy.lock)
        return replace(self, failures=failures)


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What a new staff member is shown once: the URI for the app and the recovery codes."""

    factor: SecondFactor
    uri: str
    recovery_codes: tuple[str, ...]


def enrol(user_id: str, email: str) -> Enrolment:
    """A fresh secret and recovery codes for `user_id` (whose sign-in name is `email`)."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
    codes = tuple(_recovery_code() for _ in range(RECOVERY_CODES))
    factor = SecondFactor(user_id, secret, frozenset(recovery_hash(c) for c in codes))
    return Enrolment(factor, provisioning_uri(secret, email), codes)


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The `otpauth://totp/...` URI authenticator apps read (usually from a QR code)."""
    label = f"{quote(issuer)}:{quote(account)}"
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int, digits: int = DIGITS) -> str:
    """The TOTP code of `step` (RFC 6238 over RFC 4226's HOTP, HMAC-SHA1)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


class Check(Enum):
    ACCEPTED = "accepted"
    REPLAYED = "replayed"  # right, but for a step already used
    WRONG = "wrong"


def check_code(factor: SecondFactor, code: str, now: datetime) -> tuple[Check, int]:
    """Whether `code` is the TOTP of the current step or one either side; with its step."""
    current = time_step(now)
    replayed = False
    for step in (current, current - SKEW_STEPS, current + SKEW_STEPS):
        if hmac.compare_digest(code_at(factor.secret, step), code):
            if step > factor.last_step:
                return Check.ACCEPTED, step
            replayed = True
    return (Check.REPLAYED if replayed else Check.WRONG), -1


def looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def normalize_recovery_code(raw: str) -> str:
    """Upper case without dashes or spaces, as it is hashed."""
    return "".join(raw.split()).replace("-", "").upper()


def recovery_hash(code: str) -> str:
    return hashlib.sha256(normalize_recovery_code(code).encode()).hexdigest()


def _recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode()  # 16 characters, 80 bits
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True, slots=True)
class SignInChallenge:
    """A password checked, waiting for the second factor. Only the token's hash is stored."""

    token_hash: str
    user_id: str
    created_at: datetime
    expires_at: datetime

    def usable(self, now: datetime) -> bool:
        return now < self.expires_at
