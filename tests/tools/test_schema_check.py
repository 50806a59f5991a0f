"""make schema-check: the real tree passes; a change that breaks a shipped operation fails.

The failing cases run `python -m tools.schema_check` in a temporary copy of the repository
whose subgraph code was changed (never the real tree): the check exports the SDL from that
code, composes it and compares it with the published schema, as `make schema-check` does.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tools import schema_check

pytestmark = pytest.mark.integration

ROOT = schema_check.ROOT
ORDERS_TYPES = Path("subgraphs/orders/transport/types.py")
PAYMENTS_TYPES = Path("subgraphs/payments/transport/types.py")
# Never copied: installs, caches, data, and the storefront's dependencies.
IGNORED = shutil.ignore_patterns(
    "node_modules", ".venv", ".git", ".run", ".data", "__pycache__", ".*_cache", "*.egg-info"
)


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.schema_check", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the repository (its router/node_modules linked, not copied)."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT, root, ignore=IGNORED, symlinks=True)
    (root / "router" / "node_modules").symlink_to(ROOT / "router" / "node_modules")
    return root


def _edit_field(
    root: Path, cls: str, field: str, *, deprecate: str | None = None, types: Path = ORDERS_TYPES
) -> None:
    """Remove `cls.field` from a subgraph's types module, or deprecate it with a reason."""
    path = root / types
    tree = ast.parse(path.read_text(encoding="utf-8"))
    [node] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls]
    [member] = [
        m
        for m in node.body
        if isinstance(m, ast.AnnAssign) and isinstance(m.target, ast.Name) and m.target.id == field
    ]
    if deprecate is None:
        node.body.remove(member)
    else:
        reason = ast.keyword(arg="deprecation_reason", value=ast.Constant(deprecate))
        if isinstance(member.value, ast.Call):
            member.value.keywords.append(reason)
        else:
            strawberry_field = ast.Attribute(ast.Name("strawberry"), "field")
            member.value = ast.Call(strawberry_field, [], [reason])
        member.simple = 1
    path.write_text(ast.unparse(ast.fix_missing_locations(tree)) + "\n", encoding="utf-8")


def test_the_tree_passes_the_schema_check() -> None:
    result = _run(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    # Breaking changes, if any, are approved in tools/schema_check.approvals.yaml.
    assert "breaking changes:" in result.stdout
    assert "[NOT APPROVED]" not in result.stdout
    assert ", 0 broken" in result.stdout
    # The README's examples and the gateway tests' operations are among those checked.
    assert "README.md" not in result.stdout or "BROKEN" not in result.stdout
    checked = [line for line in result.stdout.splitlines() if line.startswith("operations:")]
    assert checked
    assert "README 0" not in checked[0]
    assert "tests 0" not in checked[0]
    # So are the documents the gateways list for an earlier release's open tabs.
    assert "retired 0" not in checked[0]
    # Each shipped operation's cost is printed; the storefront's stay far under the maximum.
    [costs] = [line for line in result.stdout.splitlines() if line.startswith("costs:")]
    maximum = int(costs.split("refuses above ")[1].split(";")[0])
    storefront = [
        int(line.split()[0])
        for line in result.stdout.splitlines()
        if "(storefront/src/gql/persisted-documents.json#" in line and line.split()[0].isdigit()
    ]
    assert len(storefront) >= 10
    assert max(storefront) * 10 <= maximum


def test_an_operation_over_the_gateways_maximum_fails_the_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    costs = {
        "max": 100,
        "operations": [
            {"name": "Cheap", "source": "a.ts", "cost": 12},
            {"name": "Nested", "source": "b.ts", "cost": 5000},
        ],
    }
    assert schema_check.report_costs(costs) == 1
    out = capsys.readouterr().out
    assert "costs: the gateway refuses above 100; highest shipped 5000" in out
    assert "  5000 Nested (b.ts) [OVER THE MAXIMUM]" in out
    assert "    12 Cheap (a.ts)\n" in out


def test_removing_a_field_a_shipped_operation_reads_fails_and_names_both(copy: Path) -> None:
    # OrderItem.quantity is read by the storefront and by the order tests' `Create` mutation.
    _edit_field(copy, "OrderItem", "quantity")
    result = _run(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "FIELD_REMOVED OrderItem.quantity" in out
    assert "[NOT APPROVED]" in out
    # Read by the storefront's `Order` query (from its persisted manifest) and the tests' `Create`.
    assert "read by: Order (storefront/src/gql/persisted-documents.json#" in out
    assert "Create (tests/e2e/test_orders_through_gateway.py:CREATE)" in out
    assert (
        "BROKEN Create (tests/e2e/test_orders_through_gateway.py:CREATE): "
        'Cannot query field "quantity" on type "OrderItem".'
    ) in out
    assert "schema-check: FAILED" in out
    # The real tree was not touched.
    assert "quantity" in (ROOT / "router" / "supergraph.graphql").read_text(encoding="utf-8")


def test_an_approved_unread_removal_passes_and_deprecations_in_use_are_reported(
    copy: Path,
) -> None:
    # Payment.createdAt is in no shipped operation: removing it breaks the contract only.
    _edit_field(copy, "Payment", "created_at", types=PAYMENTS_TYPES)
    _edit_field(copy, "OrderItem", "name", deprecate="Read the product instead.")
    refused = _run(copy)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "FIELD_REMOVED Payment.createdAt" in refused.stdout
    assert "BROKEN" not in refused.stdout

    approvals_file = copy / "tools" / "schema_check.approvals.yaml"
    approvals = yaml.safe_load(approvals_file.read_text())  # the tree's own, kept
    approvals["approvals"].append(
        {"type": "FIELD_REMOVED", "path": "Payment.createdAt", "reason": "no client reads it"}
    )
    approvals_file.write_text(yaml.safe_dump(approvals))
    result = _run(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[approved: no client reads it]" in result.stdout
    assert "deprecated in use: Create (tests/e2e/test_orders_through_gateway.py:CREATE)" in (
        result.stdout
    )
    assert "The field 'OrderItem.name' is deprecated. Read the product instead." in result.stdout


def test_base_compares_with_the_supergraph_committed_at_a_ref() -> None:
    base, described = schema_check.baseline("HEAD")
    committed = subprocess.run(
        ["git", "show", "HEAD:router/supergraph.graphql"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert base == {"kind": "supergraph", "sdl": committed}
    assert described.startswith("HEAD")
    with pytest.raises(RuntimeError, match="no-such-ref"):
        schema_check.baseline("no-such-ref")


def test_an_approval_needs_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "approvals.yaml"
    path.write_text("approvals:\n  - type: FIELD_REMOVED\n    path: Product.name\n")
    with pytest.raises(ValueError, match="reason"):
        schema_check.load_approvals(path)


def test_storefront_documents_are_collected_with_their_fragments(tmp_path: Path) -> None:
    sources = tmp_path / "storefront" / "src"
    sources.mkdir(parents=True)
    (sources / "Orders.tsx").write_text(
        "const Q = graphql(`query Orders {\n"
        "  me { orders(first: 5) { edges { node { ...Row } } } } }`);\n"
        "const F = graphql(`fragment Row on Order { id status }`);\n"
    )
    [operation] = schema_check.storefront_operations(tmp_path)
    assert operation.name == "Orders"
    assert operation.source == "storefront/src/Orders.tsx:1"
    assert "fragment Row on Order" in operation.document
    # A persisted-documents manifest, when codegen wrote one, is the source instead.
    generated = sources / "gql"
    generated.mkdir()
    (generated / "persisted-documents.json").write_text(
        '{"abc123": "query Products { products { sku } }"}'
    )
    [persisted] = schema_check.storefront_operations(tmp_path)
    assert (persisted.name, persisted.source) == (
        "Products",
        "storefront/src/gql/persisted-documents.json#abc123",
    )


def test_retired_documents_are_checked_under_their_manifests_name(tmp_path: Path) -> None:
    # An earlier release's documents the gateways still list must keep validating.
    retired = tmp_path / "router" / "persisted-retired.json"
    retired.parent.mkdir()
    retired.write_text('{"c71e33d8aea7ffff": "subscription OrderStatus { orderStatusChanged }"}')
    [operation] = schema_check.shipped_operations(tmp_path)
    assert (operation.name, operation.source) == (
        "OrderStatus",
        "router/persisted-retired.json#c71e33d8aea7",
    )


def test_readme_request_bodies_are_operations(tmp_path: Path) -> None:
    body = '{"query":\n  "mutation { login(input: {email: \\"a\\"}) { accessToken } }"}'
    (tmp_path / "README.md").write_text(
        f"```sh\ncurl -d '{body}'\n```\n```graphql\nquery Me {{ me {{ id }} }}\n```\n"
    )
    operations = schema_check.readme_operations(tmp_path)
    assert [(op.name, op.source) for op in operations] == [
        ("Me", "README.md:5"),
        ("anonymous mutation", "README.md:2"),
    ]
    assert 'email: "a"' in operations[1].document


def test_the_ides_example_is_an_operation(tmp_path: Path) -> None:
    config = tmp_path / "router" / "gateway.config.ts"
    config.parent.mkdir()
    config.write_text(
        "const IDE_EXAMPLE = `# Try \\`products\\`\nquery Products { products { sku } }\n`;\n"
    )
    [operation] = schema_check.ide_operations(tmp_path)
    assert (operation.name, operation.source) == ("Products", "router/gateway.config.ts (IDE)")


ROOT_FIELDS = """
type Query @join__type(graph: SHOP) {
  products: [String!]! @join__field(graph: SHOP)
  staffOrders: [String!]! @join__field(graph: SHOP) @requiresScopes(scopes: [["orders:read:any"]])
  me: String @join__field(graph: SHOP) @authenticated
}
type Mutation {
  refundPayment(id: ID!): Boolean
}
type Order { notes: String }
"""


def test_a_root_field_without_a_directive_must_be_listed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert schema_check.unprotected_root_fields(ROOT_FIELDS) == [
        "Mutation.refundPayment",
        "Query.products",
    ]
    listed = {"Query.products": "the price list is public", "Query.staffOrders": "was open"}
    assert schema_check.report_public_fields(ROOT_FIELDS, listed) == 2
    out = capsys.readouterr().out
    assert "UNLISTED Mutation.refundPayment" in out
    assert "STALE Query.staffOrders" in out
    listed = {"Query.products": "public", "Mutation.refundPayment": "owner-checked"}
    assert schema_check.report_public_fields(ROOT_FIELDS, listed) == 0


def test_a_listed_field_needs_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "public_fields.yaml"
    path.write_text(yaml.safe_dump({"fields": {"Query.products": " "}}))
    with pytest.raises(ValueError, match=r"Query\.products needs a reason"):
        schema_check.load_public_fields(path)


def test_an_unlisted_root_field_fails_the_check(copy: Path) -> None:
    listed = yaml.safe_load((copy / "tools" / "public_fields.yaml").read_text())
    del listed["fields"]["Query.order"]
    (copy / "tools" / "public_fields.yaml").write_text(yaml.safe_dump(listed))
    result = _run(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "UNLISTED Query.order" in result.stdout
