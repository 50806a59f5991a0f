"""Schema check: what a schema change does to the API and to the operations clients ship.

``python -m tools.schema_check`` (``make schema-check``) exports every subgraph's SDL from the
code, composes the supergraph, takes its API schema (what clients see) and compares it with a
baseline using @graphql-inspector/core (tools/schema_check.mjs):

- the baseline is the published schema, ``tools/schema_check.published.graphql``, which only
  ``--publish`` (``make schema-publish``) moves, the way a schema registry holds the schema
  clients were promised; ``--base REF`` (``make schema-check BASE=REF``) compares with the
  composed supergraph committed at that git ref instead;
- every change is listed as breaking, dangerous or safe; a breaking change fails the check
  unless ``tools/schema_check.approvals.yaml`` lists it (type and path) with a reason;
- every operation the clients ship is validated against the new schema, and the check fails
  naming each operation that no longer validates (and the field it reads): the web apps'
  generated documents (storefront/src/gql/ and backoffice/src/gql/, when present), the
  documents an earlier release retired that the gateways still list
  (router/persisted-retired.json), the examples in the README files,
  the operation the gateway's IDE opens with, and the operations held in the gateway tests
  (tests/e2e, testkit);
- a deprecated field or enum value read by a shipped operation is reported;
- each shipped operation's estimated cost is printed (the gateway's demand control estimate,
  router/edge/cost.ts, with Int variables at the page maximum); one above the gateway's
  maximum fails the check;
- every root field (Query, Mutation, Subscription) of the composed supergraph carries
  ``@authenticated`` or ``@requiresScopes`` or is listed, with the reason it needs neither, in
  ``tools/public_fields.yaml``; an unlisted one fails the check, and so does an entry naming a
  field that is gone or now carries a directive.

One subgraph at a time: ``--subgraph NAME`` (``make schema-check SUBGRAPH=NAME``) composes
that subgraph's SDL from the code with every other subgraph's *published* SDL
(``router/published/<name>.graphql``, see tools/compose.py) and checks that supergraph the same
way: what a team checks before publishing its subgraph alone. ``--publish --subgraph NAME``
(``make schema-publish SUBGRAPH=NAME``) publishes it only when that check passes: it records
the subgraph's SDL as published, writes ``router/supergraph.graphql`` (in place: a running
Hive Gateway watching it reloads it) and the published API schema. ``--publish`` alone
publishes every subgraph, as the baseline's owner decides (it writes even when the check
fails, listing what it publishes).

Exit 0 when nothing fails, 1 when something does, 2 when the check cannot run.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from tools import compose
from tools.compose import CompositionError, compose_supergraph

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "schema_check.mjs"
PUBLISHED = ROOT / "tools" / "schema_check.published.graphql"
APPROVALS = ROOT / "tools" / "schema_check.approvals.yaml"
PUBLIC_FIELDS = ROOT / "tools" / "public_fields.yaml"
ROOT_TYPES = ("Query", "Mutation", "Subscription")
AUTH_DIRECTIVES = frozenset({"authenticated", "requiresScopes"})
ROUTER = ROOT / "router"
SUPERGRAPH_PATH = "router/supergraph.graphql"
PUBLISHED_HEADER = """\
# The published API schema: what clients were promised. `make schema-check` compares the code's
# schema with it; only `make schema-publish` rewrites this file (a deliberate step, reviewed
# like code). Generated: do not edit by hand.
"""
# Where shipped operations live, relative to the root.
STOREFRONT_SOURCES = "storefront/src"
STOREFRONT_GENERATED = "storefront/src/gql"
BACKOFFICE_SOURCES = "backoffice/src"
BACKOFFICE_GENERATED = "backoffice/src/gql"
# Documents an earlier release of the web apps may still send (router/tools/persisted-queries.mjs).
RETIRED_MANIFEST = "router/persisted-retired.json"
TEST_SOURCES = ("tests/e2e", "testkit")
SKIPPED_DIRS = {"node_modules", ".venv", ".git", ".run", ".data"}


@dataclass(frozen=True)
class Operation:
    """One executable document a client ships (an operation plus the fragments it uses)."""

    name: str
    source: str
    document: str


# ------------------------------------------------------------------ collecting operations


def _spreads(node: Any) -> list[str]:
    """The fragment names spread inside `node`."""
    found: list[str] = []

    class _Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            found.append(spread.name.value)

    visit(node, _Spreads())
    return found


def _split(document: DocumentNode, fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Each operation of `document` with the fragments it spreads (transitively)."""
    local = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    known = fragments | local
    documents = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        needed: dict[str, FragmentDefinitionNode] = {}
        pending: list[Any] = [definition]
        while pending:
            for name in _spreads(pending.pop()):
                if name not in needed and name in known:
                    needed[name] = known[name]
                    pending.append(known[name])
        parts = [print_ast(definition), *(print_ast(f) for f in needed.values())]
        documents.append("\n\n".join(parts))
    return documents


def _operation_name(document: str) -> str:
    [operation] = [d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode)]
    if operation.name:
        return operation.name.value
    return f"anonymous {operation.operation.value}"


def _operations_in(
    text: str, source: str, fragments: dict[str, FragmentDefinitionNode] | None = None
) -> list[Operation]:
    try:
        document = parse(text)
    except GraphQLError:
        return []
    return [
        Operation(_operation_name(single), source, single)
        for single in _split(document, fragments or {})
    ]


def _files(root: Path, relative: str, suffixes: tuple[str, ...]) -> list[Path]:
    """Files under root/relative with one of `suffixes`, never inside SKIPPED_DIRS."""
    base = root / relative
    if base.is_file():
        return [base]
    found: list[Path] = []
    for directory, subdirectories, names in os.walk(base):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRS)
        found += [Path(directory) / name for name in sorted(names) if name.endswith(suffixes)]
    return found


_TEMPLATE = re.compile(r"\b(?:graphql|gql)\(\s*`([^`]*)`", re.DOTALL)


def storefront_operations(
    root: Path, source_dir: str = STOREFRONT_SOURCES, generated_dir: str = STOREFRONT_GENERATED
) -> list[Operation]:
    """A web app's documents (the storefront's unless told): the persisted-documents manifests
    codegen writes under its src/gql (hash -> document), and the `graphql(`...`)` documents of
    its sources when there is no manifest."""
    found: list[Operation] = []
    for path in _files(root, generated_dir, (".json",)):
        found += _manifest_operations(root, path)
    if found:
        return found
    sources = [
        path
        for path in _files(root, source_dir, (".ts", ".tsx", ".graphql"))
        if not path.is_relative_to(root / generated_dir)
    ]
    texts: list[tuple[str, str]] = []
    for path in sources:
        content = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(root))
        if path.suffix == ".graphql":
            texts.append((content, relative))
        for match in _TEMPLATE.finditer(content):
            line = content.count("\n", 0, match.start()) + 1
            texts.append((match[1], f"{relative}:{line}"))
    fragments: dict[str, FragmentDefinitionNode] = {}
    for text, _ in texts:
        try:
            for definition in parse(text).definitions:
                if isinstance(definition, FragmentDefinitionNode):
                    fragments[definition.name.value] = definition
        except GraphQLError:
            continue
    for text, source in texts:
        found += _operations_in(text, source, fragments)
    return found


def _manifest_operations(root: Path, path: Path) -> list[Operation]:
    """The documents of a persisted-documents manifest (hash -> document), each named by the
    manifest and the hash's start; none when the file is missing or is no such manifest."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    if not (isinstance(manifest, dict) and all(isinstance(v, str) for v in manifest.values())):
        return []
    manifest_path = path.relative_to(root)
    found: list[Operation] = []
    for key, text in manifest.items():
        found += _operations_in(text, f"{manifest_path}#{key[:12]}")
    return found


def retired_operations(root: Path) -> list[Operation]:
    """The retired documents the gateways still list for an earlier release's open tabs: they
    must keep working against the new schema until pruned."""
    return _manifest_operations(root, root / RETIRED_MANIFEST)


_FENCE = re.compile(r"^```graphql\n(.*?)^```", re.DOTALL | re.MULTILINE)
_JSON_QUERY = re.compile(r'"query"\s*:\s*("(?:[^"\\]|\\.)*")', re.DOTALL)


def readme_operations(root: Path) -> list[Operation]:
    """Operations in the READMEs and docs/: ```graphql blocks and `"query": "..."` bodies."""
    found: list[Operation] = []
    for path in _files(root, ".", (".md",)):
        if path.name != "README.md" and path.parent != root / "docs":
            continue
        content = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(root))
        for match in _FENCE.finditer(content):
            line = content.count("\n", 0, match.start()) + 1
            found += _operations_in(match[1], f"{relative}:{line}")
        for match in _JSON_QUERY.finditer(content):
            line = content.count("\n", 0, match.start()) + 1
            try:
                text = json.loads(match[1])
            except json.JSONDecodeError:
                continue
            found += _operations_in(text, f"{relative}:{line}")
    return found


def test_operations(root: Path) -> list[Operation]:
    """The operations held by the tests that go through the gateway: module-level constants
    (`CREATE = \"\"\"mutation ...\"\"\"`) of tests/e2e and testkit."""
    found: list[Operation] = []
    for relative in TEST_SOURCES:
        for path in _files(root, relative, (".py",)):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if not (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                ):
                    continue
                text = node.value.value
                if _SUBGRAPH_ONLY.search(text):
                    continue  # sent to a subgraph directly (federation's own fields)
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.isupper():
                        source = f"{path.relative_to(root)}:{target.id}"
                        found += _operations_in(text, source)
    return found


# Fields only a subgraph serves (the gateway asks for them): an operation with one is a
# subgraph test's, never a client's of the supergraph.
_SUBGRAPH_ONLY = re.compile(r"\b(_entities|_service)\b")


_IDE_EXAMPLE = re.compile(r"\bIDE_EXAMPLE\s*=\s*`((?:[^`\\]|\\.)*)`", re.DOTALL)
GATEWAY_CONFIG = "router/gateway.config.ts"


def ide_operations(root: Path) -> list[Operation]:
    """The example operation the gateway's IDE offers (`IDE_EXAMPLE` in gateway.config.ts)."""
    path = root / GATEWAY_CONFIG
    if not path.exists():
        return []
    found: list[Operation] = []
    for match in _IDE_EXAMPLE.finditer(path.read_text(encoding="utf-8")):
        text = re.sub(r"\\(.)", r"\1", match[1])  # a template literal's escapes
        found += _operations_in(text, f"{GATEWAY_CONFIG} (IDE)")
    return found


def shipped_operations(root: Path = ROOT) -> list[Operation]:
    return (
        storefront_operations(root)
        + storefront_operations(root, BACKOFFICE_SOURCES, BACKOFFICE_GENERATED)
        + retired_operations(root)
        + readme_operations(root)
        + ide_operations(root)
        + test_operations(root)
    )


# ------------------------------------------------------------------ the check


def load_approvals(path: Path = APPROVALS) -> list[dict[str, str]]:
    """The approved breaking changes: [{type, path, reason}], each with a reason."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    approvals = data.get("approvals") or []
    for entry in approvals:
        missing = {"type", "path", "reason"} - {k for k, v in entry.items() if v}
        if missing:
            raise ValueError(f"{path.name}: approval {entry} lacks {', '.join(sorted(missing))}")
    return list(approvals)


def load_public_fields(path: Path = PUBLIC_FIELDS) -> dict[str, str]:
    """The listed public root fields, `Type.field` -> reason; an entry without one is an error."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    fields = data.get("fields") or {}
    if not isinstance(fields, dict):
        raise ValueError(f"{path.name}: `fields` must map Type.field to a reason")
    for coordinate, reason in fields.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{path.name}: {coordinate} needs a reason")
    return {str(c): str(r) for c, r in fields.items()}


def unprotected_root_fields(supergraph: str) -> list[str]:
    """`Type.field` of every root field with neither auth directive (on it or on its type)."""
    found: list[str] = []
    for definition in parse(supergraph).definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        if definition.name.value not in ROOT_TYPES:
            continue
        if {d.name.value for d in definition.directives or ()} & AUTH_DIRECTIVES:
            continue
        for field in definition.fields or ():
            if not {d.name.value for d in field.directives or ()} & AUTH_DIRECTIVES:
                found.append(f"{definition.name.value}.{field.name.value}")
    return sorted(found)


def report_public_fields(supergraph: str, listed: dict[str, str]) -> int:
    """Print the root fields without an auth directive that are not listed, and the entries
    that name no such field; the number of both (each one a failure)."""
    unprotected = set(unprotected_root_fields(supergraph))
    unlisted = sorted(unprotected - set(listed))
    stale = sorted(set(listed) - unprotected)
    print(
        f"public fields: {len(unprotected)} root field(s) without @authenticated or "
        f"@requiresScopes, {len(listed)} listed in {PUBLIC_FIELDS.relative_to(ROOT)}"
    )
    for coordinate in unlisted:
        print(f"  UNLISTED {coordinate}: give it @authenticated or @requiresScopes, or list it")
    for coordinate in stale:
        print(f"  STALE {coordinate}: gone or protected by a directive now; remove the entry")
    return len(unlisted) + len(stale)


def run_inspector(base: dict[str, str], new: dict[str, str], operations: list[Operation]) -> Any:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH")
    payload = {"base": base, "next": new, "operations": [asdict(op) for op in operations]}
    proc = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ROUTER,
        check=False,
        timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip() or f"schema_check.mjs exited {proc.returncode}")
    return json.loads(proc.stdout)


def baseline(base_ref: str | None) -> tuple[dict[str, str], str]:
    """(the baseline schema for schema_check.mjs, a description of it)."""
    if base_ref is None:
        if not PUBLISHED.exists():
            raise RuntimeError(
                f"no published schema at {PUBLISHED.relative_to(ROOT)}: run make schema-publish"
            )
        return {"kind": "api", "sdl": PUBLISHED.read_text(encoding="utf-8")}, (
            f"the published schema ({PUBLISHED.relative_to(ROOT)})"
        )
    proc = subprocess.run(
        ["git", "show", f"{base_ref}:{SUPERGRAPH_PATH}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"cannot read {SUPERGRAPH_PATH} at {base_ref}: {proc.stderr.strip()}")
    return {"kind": "supergraph", "sdl": proc.stdout}, f"{base_ref} ({SUPERGRAPH_PATH})"


def report(result: Any, approvals: list[dict[str, str]], operations: list[Operation]) -> int:
    """Print the findings; the number of failures."""
    failures = 0
    approved = {(a["type"], a["path"]): a["reason"] for a in approvals}
    used_approvals: set[tuple[str, str]] = set()
    levels = {"BREAKING": "breaking", "DANGEROUS": "dangerous", "NON_BREAKING": "safe"}
    for level, title in levels.items():
        changes = [c for c in result["changes"] if c["level"] == level]
        print(f"{title} changes: {len(changes)}")
        for change in changes:
            line = f"  {change['type']} {change['path']}: {change['message']}"
            if change["usedBy"]:
                line += f" [read by: {', '.join(change['usedBy'])}]"
            if level == "BREAKING":
                key = (change["type"], change["path"])
                if key in approved:
                    used_approvals.add(key)
                    line += f" [approved: {approved[key]}]"
                else:
                    failures += 1
                    line += " [NOT APPROVED]"
            print(line)
    for key in sorted(set(approved) - used_approvals):
        print(f"note: approval {key[0]} {key[1]} matches no change (remove it)")

    sources = {"storefront": 0, "back office": 0, "retired": 0, "README": 0, "IDE": 0, "tests": 0}
    for op in operations:
        if op.source.startswith("storefront/"):
            sources["storefront"] += 1
        elif op.source.startswith("backoffice/"):
            sources["back office"] += 1
        elif op.source.startswith(RETIRED_MANIFEST):
            sources["retired"] += 1
        elif "README.md" in op.source:
            sources["README"] += 1
        elif op.source.startswith(GATEWAY_CONFIG):
            sources["IDE"] += 1
        else:
            sources["tests"] += 1
    broken = [op for op in result["operations"] if op["errors"]]
    deprecated = [op for op in result["operations"] if op["deprecated"]]
    counts = ", ".join(f"{kind} {n}" for kind, n in sources.items())
    print(f"operations: {len(operations)} checked ({counts}), {len(broken)} broken")
    for op in broken:
        failures += 1
        for error in op["errors"]:
            print(f"  BROKEN {op['name']} ({op['source']}): {error}")
    for op in deprecated:
        for warning in op["deprecated"]:
            print(f"  deprecated in use: {op['name']} ({op['source']}): {warning}")
    return failures + report_costs(result.get("costs") or {"max": 0, "operations": []})


def report_costs(costs: dict[str, Any]) -> int:
    """Print each operation's estimated cost (the gateway's estimate, Int variables at the page
    maximum); the number of operations above the gateway's maximum (each one a failure)."""
    maximum = costs["max"]
    estimated = sorted(costs["operations"], key=lambda op: (-op["cost"], op["source"]))
    over = [op for op in estimated if op["cost"] > maximum]
    highest = estimated[0]["cost"] if estimated else 0
    print(f"costs: the gateway refuses above {maximum}; highest shipped {highest}")
    for op in estimated:
        flag = " [OVER THE MAXIMUM]" if op["cost"] > maximum else ""
        print(f"  {op['cost']:>6} {op['name']} ({op['source']}){flag}")
    return len(over)


def _new_supergraph(subgraph: str | None) -> str:
    """The supergraph to check: every subgraph's code, or ``subgraph``'s code with the others'
    published SDLs."""
    if subgraph is None:
        return compose_supergraph()
    known = compose.load_subgraphs()
    if subgraph not in known:
        raise ValueError(f"unknown subgraph {subgraph!r} (one of: {', '.join(known)})")
    sdls = compose.published_sdls({subgraph: compose.export_sdl(subgraph)})
    return compose.supergraphs_of(sdls)[compose.SUPERGRAPH]


def _publish(names: list[str], result: Any) -> int:
    """Record ``names``' SDLs as published, write the supergraphs and the published API."""
    for path in compose.publish(names):
        print(f"published: wrote {path.relative_to(ROOT)}")
    PUBLISHED.write_text(PUBLISHED_HEADER + result["api"], encoding="utf-8")
    print(f"published: wrote {PUBLISHED.relative_to(ROOT)} (commit it)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.schema_check", description=__doc__)
    parser.add_argument("--base", metavar="REF", help="compare with the supergraph at a git ref")
    parser.add_argument(
        "--publish", action="store_true", help="make the code's API schema the published one"
    )
    parser.add_argument(
        "--subgraph",
        metavar="NAME",
        help="check (or publish) this subgraph's code with the others' published SDLs",
    )
    args = parser.parse_args(argv)
    try:
        supergraph = _new_supergraph(args.subgraph)
        operations = shipped_operations()
        approvals = load_approvals()
        public_fields = load_public_fields()
        if args.publish and args.base is None and not PUBLISHED.exists():
            base, described = (
                {"kind": "supergraph", "sdl": supergraph},
                "itself (first publication)",
            )
        else:
            base, described = baseline(args.base)
        result = run_inspector(base, {"kind": "supergraph", "sdl": supergraph}, operations)
    except CompositionError as exc:
        print("schema-check: composition failed:", *exc.lines, sep="\n  ", file=sys.stderr)
        return 2
    except (RuntimeError, ValueError) as exc:
        print(f"schema-check: {exc}", file=sys.stderr)
        return 2
    what = (
        f"subgraph {args.subgraph}'s code with the others' published SDLs"
        if args.subgraph
        else "the code"
    )
    print(f"schema-check: the API schema of {what} against {described}")
    failures = report(result, approvals, operations)
    failures += report_public_fields(supergraph, public_fields)
    if args.publish and args.subgraph and failures:
        print(f"schema-publish: NOT published ({failures} problem(s) above)")
        return 1
    if args.publish:
        return _publish(
            [args.subgraph] if args.subgraph else list(compose.load_subgraphs()), result
        )
    if failures:
        print(f"schema-check: FAILED ({failures} problem(s) above)")
        return 1
    print("schema-check: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
