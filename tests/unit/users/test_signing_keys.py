"""The development signing key: generated once, private, the same for replicas starting together."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from subgraphs.users.credentials.signing_keys import load_or_create_signing_key


def test_the_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "users.pem"

    first = load_or_create_signing_key(path)
    again = load_or_create_signing_key(path)

    assert first.kid == again.kid
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["users.pem"]  # no draft left behind


def test_replicas_starting_together_all_read_one_whole_key(tmp_path: Path) -> None:
    for attempt in range(20):
        path = tmp_path / f"round-{attempt}" / "users.pem"
        with ThreadPoolExecutor(max_workers=8) as pool:
            keys = list(pool.map(load_or_create_signing_key, [path] * 8))
        assert len({key.kid for key in keys}) == 1
        assert [p.name for p in path.parent.iterdir()] == ["users.pem"]
