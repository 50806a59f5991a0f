"""The schema linter (tools/schema_lint): real @graphql-eslint rules, findings per subgraph."""

from __future__ import annotations

import pytest

from tools import compose, schema_lint

pytestmark = pytest.mark.integration

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", '
    'import: ["@key", "@shareable"])\n'
)
# Two subgraphs with one problem of each kind the lint exists for.
SHOP = (
    LINK
    + '''
"""A product."""
type Product @key(fields: "id") {
  """Its identifier."""
  id: ID!
  unit_price: Int
}

"""An order line page."""
type LineConnection {
  """The lines."""
  items: [Product!]!
}

"""Entry points."""
type Query {
  """One product."""
  product(
    """Which one."""
    id: ID!
  ): Product
  """Lines, paginated."""
  lines: LineConnection!
}
'''
)
STOCK = (
    LINK
    + '''
type Product @key(fields: "id") {
  id: ID!
  """Units in stock."""
  stock: Int!
}

"""Nobody reaches this."""
type Warehouse {
  """Where."""
  city: String!
  """How full."""
  level: Level!
}

"""How much is left."""
enum Level {
  """Plenty."""
  HIGH
  low
}
'''
)


@pytest.fixture(scope="module")
def findings() -> list[dict[str, object]]:
    subgraphs = {"shop": SHOP, "stock": STOCK}
    supergraph = compose.compose(
        [
            {"name": name, "url": f"http://{name}/graphql", "sdl": sdl}
            for name, sdl in subgraphs.items()
        ]
    )
    return schema_lint.lint(supergraph, subgraphs)


def _find(findings: list[dict[str, object]], rule: str, coordinate: str) -> dict[str, object]:
    matching = [f for f in findings if f["rule"] == rule and f["coordinate"] == coordinate]
    assert matching, f"no {rule} finding on {coordinate}: {findings}"
    return matching[0]


def test_a_missing_description_names_the_field_and_its_subgraph(
    findings: list[dict[str, object]],
) -> None:
    assert _find(findings, "require-description", "Product.unit_price")["subgraphs"] == ["shop"]
    assert _find(findings, "require-description", "Level.low")["subgraphs"] == ["stock"]
    # The argument has one; the subgraph that only extends the type is not blamed for its own.
    descriptions = {f["coordinate"] for f in findings if f["rule"] == "require-description"}
    assert "Query.product.id" not in descriptions
    assert "Product.stock" not in descriptions


def test_naming_conventions_are_enforced(findings: list[dict[str, object]]) -> None:
    assert _find(findings, "naming-convention", "Product.unit_price")["subgraphs"] == ["shop"]
    assert _find(findings, "naming-convention", "Level.low")["subgraphs"] == ["stock"]


def test_relay_connection_shapes_are_enforced(findings: list[dict[str, object]]) -> None:
    assert _find(findings, "relay-connection-types", "LineConnection")["subgraphs"] == ["shop"]


def test_unreachable_types_are_found(findings: list[dict[str, object]]) -> None:
    assert _find(findings, "no-unreachable-types", "Warehouse")["subgraphs"] == ["stock"]


def test_a_description_given_by_one_subgraph_is_enough(findings: list[dict[str, object]]) -> None:
    # Composition keeps the description `shop` gives Product.id; `stock` need not repeat it.
    assert not [f for f in findings if f["coordinate"] in ("Product", "Product.id")]


def test_the_composed_schema_passes_the_lint() -> None:
    # Descriptions everywhere, naming, connection shapes, nothing unreachable: a new field
    # without a description fails here, naming its subgraph.
    findings = schema_lint.lint(*schema_lint.committed_inputs())
    assert findings == [], "\n".join(
        f"[{','.join(f['subgraphs'])}] {f['coordinate']}: {f['message']} ({f['rule']})"
        for f in findings
    )
