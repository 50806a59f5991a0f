"""One subgraph's schema, checked and published on its own (`make schema-check SUBGRAPH=x`,
`make schema-publish SUBGRAPH=x`); the supergraph composed from the published SDLs only.

The publishing cases run in a temporary copy of the repository whose subgraph code was changed
(never the real tree), as tests/tools/test_schema_check.py does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSyntaxError, parse

from tools import compose

pytestmark = pytest.mark.integration

ROOT = compose.ROOT
IGNORED = shutil.ignore_patterns(
    "node_modules", ".venv", ".git", ".run", ".data", "__pycache__", ".*_cache", "*.egg-info"
)
ORDERS_TYPES = Path("subgraphs/orders/transport/types.py")
PAYMENTS_TYPES = Path("subgraphs/payments/transport/types.py")
USER_ANCHOR = "class User:\n    id: strawberry.ID\n"
NEW_FIELD = """
    @strawberry.field(description="A field added by a test.")
    def schema_probe(self) -> str:
        return "published"
"""


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.schema_check", *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _edit(root: Path, path: Path, old: str, new: str) -> None:
    source = (root / path).read_text(encoding="utf-8")
    assert old in source
    (root / path).write_text(source.replace(old, new, 1), encoding="utf-8")


def test_every_subgraph_of_the_tree_is_published() -> None:
    # The committed supergraph is what the published SDLs compose to (test_composition), and
    # every published SDL is the code's: a schema change ships with its publication.
    assert compose.unpublished() == [], "unpublished: run make schema-publish SUBGRAPH=<name>"


def test_a_file_written_in_place_stays_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text("type Query { a: Int, b: Int }\n", encoding="utf-8")
    inode = path.stat().st_ino
    assert compose.write_in_place(path, "type Query { a: Int }\n")
    assert path.read_text(encoding="utf-8") == "type Query { a: Int }\n"  # cut to its length
    assert path.stat().st_ino == inode  # the same file: a watch on it keeps watching
    assert not compose.write_in_place(path, "type Query { a: Int }\n")  # unchanged: no write


@pytest.mark.parametrize("change", ["shorter", "longer"])
def test_a_file_written_in_place_is_never_a_mix_of_old_and_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    # The file as a reader finds it after each step of the write (truncation, each write).
    old = compose.SUPERGRAPH.read_text(encoding="utf-8")
    last_type = old.rindex("\ntype ")
    new = old[:last_type] + "\n" if change == "shorter" else old + "\nscalar Probe\n"
    path = tmp_path / "supergraph.graphql"
    path.write_text(old, encoding="utf-8")
    seen: list[bytes] = []
    real_open, real_pwrite = os.open, os.pwrite

    def opened(*args: Any, **kwargs: Any) -> int:
        fd = real_open(*args, **kwargs)
        seen.append(path.read_bytes())
        return fd

    def pwritten(fd: int, data: Any, offset: int) -> int:
        written = real_pwrite(fd, bytes(data[: max(1, len(data) // 3)]), offset)  # in parts
        seen.append(path.read_bytes())
        return written

    monkeypatch.setattr(os, "open", opened)
    monkeypatch.setattr(os, "pwrite", pwritten)
    assert compose.write_in_place(path, new)
    monkeypatch.undo()

    assert seen[0] == b""  # emptied first
    assert seen[-1] == new.encode()  # whole at the last write
    assert len(seen) >= 5
    for state in seen[:-1]:
        with pytest.raises(GraphQLSyntaxError):  # unfinished: never a document
            parse(state.decode("utf-8"))
    assert path.read_text(encoding="utf-8") == new


def test_an_unknown_subgraph_is_refused() -> None:
    result = _run(ROOT, "--subgraph", "nope")
    assert result.returncode == 2
    assert "unknown subgraph 'nope' (one of: users, catalog, orders, payments" in result.stderr


def test_one_subgraph_is_checked_and_published_with_the_others_published_sdls(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=IGNORED, symlinks=True)
    (copy / "router" / "node_modules").symlink_to(ROOT / "router" / "node_modules")
    supergraph = copy / "router" / "supergraph.graphql"
    inode = supergraph.stat().st_ino
    published_payments = (copy / "router/published/payments.graphql").read_text()
    # orders gains a field; payments' code (not published) loses one a client reads.
    _edit(copy, ORDERS_TYPES, USER_ANCHOR, USER_ANCHOR + NEW_FIELD)
    _edit(copy, PAYMENTS_TYPES, "    status: PaymentStatus", "    status_gone: PaymentStatus")

    whole = _run(copy)  # every subgraph's code: payments' change breaks clients
    assert whole.returncode == 1
    assert "FIELD_REMOVED Payment.status" in whole.stdout

    checked = _run(copy, "--subgraph", "orders")  # orders' code, payments as published
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "User.schemaProbe" in checked.stdout
    assert "Payment.status" not in checked.stdout
    assert "subgraph orders's code with the others' published SDLs" in checked.stdout

    refused = _run(copy, "--publish", "--subgraph", "payments")
    assert refused.returncode == 1
    assert "schema-publish: NOT published" in refused.stdout
    assert (copy / "router/published/payments.graphql").read_text() == published_payments

    published = _run(copy, "--publish", "--subgraph", "orders")
    assert published.returncode == 0, published.stdout + published.stderr
    assert "published: wrote router/published/orders.graphql" in published.stdout
    assert "schemaProbe" in (copy / "router/published/orders.graphql").read_text()
    assert (copy / "router/published/payments.graphql").read_text() == published_payments
    assert "schemaProbe" in supergraph.read_text()
    assert "schemaProbe" in (copy / "router/supergraph.unlicensed.graphql").read_text()
    assert "schemaProbe" in (copy / "tools/schema_check.published.graphql").read_text()
    assert supergraph.stat().st_ino == inode  # rewritten in place, where the gateway watches it
