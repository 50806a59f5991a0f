"""SDL text without descriptions, for tests that look for a definition's shape in it."""

from __future__ import annotations

from typing import Any

from graphql import parse, print_ast, visit
from graphql.language import Visitor


class _DropDescriptions(Visitor):
    def leave(self, node: Any, *_: Any) -> Any:
        if getattr(node, "description", None) is None:
            return None  # unchanged
        fields = {key: getattr(node, key) for key in node.keys if key != "description"}
        return type(node)(**fields)


def without_descriptions(sdl: str) -> str:
    """`sdl` printed again without its descriptions (definitions keep their one-line form)."""
    return print_ast(visit(parse(sdl), _DropDescriptions()))
