"""The gateway's own unit tests (router/tests/*.test.ts, Node's test runner), without a stack.

`make test` installs router/node_modules first; `npm test` in router/ runs the same.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROUTER = Path(__file__).resolve().parents[2] / "router"


def test_gateway_unit_tests_pass() -> None:
    node = shutil.which("node")
    assert node, "node is missing"
    if not (ROUTER / "node_modules" / "@graphql-hive" / "importer").is_dir():
        pytest.fail("router/node_modules is missing: `make test` installs it")
    files = sorted(str(p.relative_to(ROUTER)) for p in (ROUTER / "tests").glob("*.test.ts"))
    assert files, "no gateway unit tests found"
    result = subprocess.run(
        [node, "--import", "./tests/typescript.mjs", "--test", *files],
        cwd=ROUTER,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    assert passed, output
    assert int(passed[1]) > 0, output
    assert re.search(r"^# fail 0$", output, re.MULTILINE), output
