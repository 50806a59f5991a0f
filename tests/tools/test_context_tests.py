"""`make test CONTEXT=<name>`: one context's tests and checks, and a clear error for a name
that is no context (the full run of a context is not repeated here)."""

from __future__ import annotations

import os
import subprocess

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


def _make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", *args],
        cwd=context_tests.ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("name", ["nope", "orders users", "%"])
def test_make_test_with_an_unknown_context_fails_before_anything_runs(name: str) -> None:
    # No Python at all: make checks the name itself (a fresh clone has no packages yet).
    result = _make("test", f"CONTEXT={name}", "PY=/nonexistent/python")
    assert result.returncode != 0
    assert (
        f"make test: unknown CONTEXT='{name}' "
        "(one of: users, catalog, orders, payments, notifications)"
    ) in result.stderr
    assert result.stdout == ""  # no install, lint or test step ran


def test_make_knows_the_contexts_the_tool_knows() -> None:
    for name in context_tests.contexts():
        planned = _make("-n", "test", f"CONTEXT={name}", "PY=python")  # prints, runs nothing
        assert planned.returncode == 0, planned.stderr
        assert f"python -m tools.context_tests {name}\n" in planned.stdout


def test_a_context_in_the_environment_does_not_narrow_make_test() -> None:
    planned = _make("-n", "test", "PY=python", env={"CONTEXT": "orders"})
    assert planned.returncode == 0, planned.stderr
    assert "tools.context_tests" not in planned.stdout
    assert ".venv/bin/pytest" in planned.stdout  # the whole suite
