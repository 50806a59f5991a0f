"""`make test CONTEXT=<name>`: one context's tests and checks, and a clear error for a name
that is no context (the full run of a context is not repeated here)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tools import context_tests


def test_each_context_runs_its_tests_its_schema_check_and_its_event_contracts() -> None:
    assert context_tests.contexts() == ["users", "catalog", "orders", "payments", "notifications"]
    for name in context_tests.contexts():
        paths = context_tests.test_paths(name)
        assert paths == [f"tests/unit/{name}", f"tests/integration/{name}"], name
        [(_, tests), (_, schema), (_, events)] = context_tests.steps(name)
        assert tests[1:] == ["-m", "pytest", *paths]
        assert schema[1:] == ["-m", "tools.schema_check", "--subgraph", name]
        assert events[1:] == ["-m", "tools.event_contracts", "check", "--context", name]


def test_the_worker_tests_belong_to_notifications() -> None:
    notifications = context_tests.ROOT / "tests" / "integration" / "notifications"
    assert (notifications / "test_worker.py").is_file()


def test_an_unknown_context_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert context_tests.main(["nope"]) == 1
    assert capsys.readouterr().err == (
        "make test: unknown CONTEXT='nope' "
        "(one of: users, catalog, orders, payments, notifications)\n"
    )
    assert context_tests.main(["--known", "orders"]) == 0


def test_make_test_with_an_unknown_context_fails_before_anything_runs() -> None:
    result = subprocess.run(
        ["make", "test", "CONTEXT=nope", f"PY={sys.executable}"],
        cwd=context_tests.ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    assert "make test: unknown CONTEXT='nope'" in result.stderr
    assert "pytest" not in result.stdout  # no install, lint or test step ran
