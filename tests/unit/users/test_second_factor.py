"""TOTP as RFC 6238 computes it, the enrolment URI, recovery codes and the lock's rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from subgraphs.users.domain import second_factor as rules
from testkit.staff import SECOND_FACTOR_POLICY

# RFC 6238, appendix B: the SHA-1 key "12345678901234567890", in base32.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.mark.parametrize(
    ("unix_time", "eight_digits"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_codes_are_those_of_the_rfc_test_vectors(unix_time, eight_digits):
    step = rules.time_step(datetime.fromtimestamp(unix_time, UTC))
    assert rules.code_at(RFC_SECRET, step, digits=8) == eight_digits
    assert rules.code_at(RFC_SECRET, step) == eight_digits[-6:]


def test_enrolment_gives_an_otpauth_uri_and_ten_recovery_codes_stored_as_hashes():
    enrolment = rules.enrol("u-1", "sam@example.com")

    parts = urlsplit(enrolment.uri)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "otpauth",
        "totp",
        "/Commerce:sam%40example.com",
    )
    query = parse_qs(parts.query)
    assert query["secret"] == [enrolment.factor.secret]
    assert query["issuer"] == ["Commerce"]
    assert (query["digits"], query["period"]) == (["6"], ["30"])
    assert len(set(enrolment.recovery_codes)) == 10
    assert enrolment.factor.recovery_hashes == {
        rules.recovery_hash(code) for code in enrolment.recovery_codes
    }
    assert not set(enrolment.recovery_codes) & enrolment.factor.recovery_hashes
    # Typed in lower case or without dashes, a recovery code is the same code.
    code = enrolment.recovery_codes[0]
    assert rules.recovery_hash(code.lower().replace("-", " ")) == rules.recovery_hash(code)


def test_one_step_either_side_is_accepted_and_a_used_step_never_again():
    factor = rules.enrol("u-1", "sam@example.com").factor
    now = datetime(2026, 3, 1, 12, 0, 10, tzinfo=UTC)
    step = rules.time_step(now)

    for offset in (-1, 0, 1):
        code = rules.code_at(factor.secret, step + offset)
        assert rules.check_code(factor, code, now) == (rules.Check.ACCEPTED, step + offset)
    too_old = rules.code_at(factor.secret, step - 2)
    assert rules.check_code(factor, too_old, now)[0] is rules.Check.WRONG

    used = factor.__class__(factor.user_id, factor.secret, factor.recovery_hashes, last_step=step)
    assert (
        rules.check_code(used, rules.code_at(factor.secret, step), now)[0] is rules.Check.REPLAYED
    )
    assert rules.check_code(used, rules.code_at(factor.secret, step + 1), now)[0] is (
        rules.Check.ACCEPTED
    )


def test_the_fifth_failure_locks_and_the_count_starts_again():
    factor = rules.enrol("u-1", "sam@example.com").factor
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    for _ in range(4):
        factor = factor.after_failure(now, SECOND_FACTOR_POLICY)
    assert (factor.failures, factor.locked(now)) == (4, False)

    factor = factor.after_failure(now, SECOND_FACTOR_POLICY)

    assert factor.failures == 0
    assert factor.locked(now + timedelta(minutes=15) - timedelta(milliseconds=1))
    assert not factor.locked(now + timedelta(minutes=15))
