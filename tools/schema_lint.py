"""Schema lint: a GraphQL schema linter over the composed API schema, per subgraph.

``python -m tools.schema_lint`` runs @graphql-eslint's schema rules (tools/schema_lint.mjs:
the schema-recommended and schema-relay sets, descriptions required on every type, field,
argument, input field and enum value) over the API schema of the committed
router/supergraph.graphql (a test keeps it equal to the code's), and names for each finding
the subgraph(s) whose SDL (subgraphs/<name>/schema.graphql) defines what it points at: the
subgraph SDLs alone lack the federation directive definitions a linter needs.

Exit 0 when nothing is found, 1 when something is, 2 when the lint cannot run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tools.compose import SUPERGRAPH, load_subgraphs

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "schema_lint.mjs"


def lint(supergraph: str, subgraphs: dict[str, str]) -> list[dict[str, Any]]:
    """The findings: [{rule, message, coordinate, subgraphs, line}]."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH")
    proc = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps({"supergraph": supergraph, "subgraphs": subgraphs}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip() or f"schema_lint.mjs exited {proc.returncode}")
    findings: list[dict[str, Any]] = json.loads(proc.stdout)
    return findings


def committed_inputs() -> tuple[str, dict[str, str]]:
    """(the committed supergraph, each subgraph's committed SDL)."""
    subgraphs = {
        name: subgraph.schema_file.read_text(encoding="utf-8")
        for name, subgraph in load_subgraphs().items()
    }
    return SUPERGRAPH.read_text(encoding="utf-8"), subgraphs


def main() -> int:
    try:
        findings = lint(*committed_inputs())
    except RuntimeError as exc:
        print(f"schema-lint: {exc}", file=sys.stderr)
        return 2
    for finding in findings:
        where = ",".join(finding["subgraphs"]) or "?"
        print(f"[{where}] {finding['coordinate']}: {finding['message']} ({finding['rule']})")
    per_subgraph = Counter(name for f in findings for name in f["subgraphs"] or ["?"])
    summary = ", ".join(f"{name} {count}" for name, count in sorted(per_subgraph.items()))
    print(f"schema-lint: {len(findings)} finding(s){f' ({summary})' if summary else ''}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
