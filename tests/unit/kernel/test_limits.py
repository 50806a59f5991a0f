"""The kernel's depth and alias limits: Strawberry's counts, one walk per fragment."""

from __future__ import annotations

import pytest
from graphql import ASTValidationRule, GraphQLSchema, parse, validate
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from subgraphs.kernel.graphql.limits import alias_limit, depth_limit
from tests.unit.kernel.test_graphql import SCHEMA

GRAPHQL: GraphQLSchema = SCHEMA._schema
MAX_DEPTH, MAX_ALIASES = 4, 3

DOCUMENTS = [
    "{ node { child { child { child { name } } } } }",
    "{ node { child { child { child { child { name } } } } } }",
    "{ node { child { child { child { child { __typename } } } } } }",
    "{ node { ...Deep } } fragment Deep on Node { child { child { child { name } } } }",
    "{ node { ...Deep } } fragment Deep on Node { child { child { child { child { name } } } } }",
    "{ a: node { name } b: node { name } c: node { name } }",
    "{ a: node { name } b: node { name } c: node { name } d: node { name } }",
    "{ node { ...A ...A } } fragment A on Node { x: name y: child { name } }",
    "{ node { ... on Node { a: name b: name c: name d: name } } }",
    "query Q { node { name } } query R { a: node { b: name c: child { d: name } } }",
]


def messages(document: str, rules: list[type[ASTValidationRule]]) -> list[str]:
    return sorted(e.message for e in validate(GRAPHQL, parse(document), rules))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_refuses_what_strawberrys_limiters_refuse(document: str) -> None:
    strawberry_rules = [
        *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    ]
    ours = messages(document, [depth_limit(MAX_DEPTH), alias_limit(MAX_ALIASES)])
    theirs = messages(document, strawberry_rules)
    assert [m.split("'")[-1] for m in ours] == [m.split("'")[-1] for m in theirs]


def test_fragments_spread_into_each_other_are_measured_once_each() -> None:
    # 2^40 paths: walking each (as Strawberry's limiters do) would never finish.
    levels = 40
    fragments = " ".join(
        f"fragment F{i} on Node {{ name ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    document = f"{{ node {{ ...F0 }} }} {fragments} fragment F{levels} on Node {{ a: name }}"
    assert messages(document, [depth_limit(MAX_DEPTH), alias_limit(MAX_ALIASES)]) == [
        f"{2**levels} aliases found. Allowed: {MAX_ALIASES}"
    ]
