"""The session rules: absolute and idle ends; refresh tokens stored hashed."""

from __future__ import annotations

from datetime import timedelta

from subgraphs.users.domain.session import Session, State, token_hash
from testkit.user_sessions import SESSION_POLICY as POLICY
from tests.unit.users.conftest import START


def test_a_session_ends_at_its_absolute_end_or_when_idle():
    session = Session.start("s", "u", "h", START, POLICY)
    assert session.expires_at == START + timedelta(days=7)
    assert session.state(START + timedelta(hours=23)) is State.ACTIVE
    assert session.state(START + timedelta(hours=24)) is State.EXPIRED

    # Used every 23 hours it lives on, but never beyond its absolute end.
    for day in range(1, 8):
        session = session.rotated(f"h{day}", START + timedelta(hours=23 * day), POLICY)
    assert session.idle_expires_at == session.expires_at
    assert session.state(START + timedelta(days=7) - timedelta(seconds=1)) is State.ACTIVE
    assert session.state(START + timedelta(days=7)) is State.EXPIRED


def test_tokens_are_stored_as_sha256():
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
