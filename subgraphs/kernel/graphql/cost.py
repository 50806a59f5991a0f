"""Demand control: list sizes declared in the SDL, and the bound each subgraph keeps itself.

The gateway estimates an operation's cost before it runs from Federation's `@listSize`
(and `@cost`) on the fields that return lists: `connection_size()` on every connection
field (its `first` sizes its `edges`), `bounded_list(n)` on a list whose length the domain
caps. A subgraph reached directly, past the gateway, bounds a request on its own: `first`
is capped by `pagination.page_size`, aliases and depth by the kernel's limits, and
`NoNestedConnections` refuses a connection inside another one (the only way a request's
work grows with the square of a page).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
)
from strawberry.federation.schema_directives import ListSize
from strawberry.types.unset import UNSET

# Unset arguments are left out of the SDL (printed as null, composition would refuse them).


def connection_size() -> ListSize:
    """`@listSize` of a connection field: `first` is how many `edges` it returns."""
    return ListSize(
        slicing_arguments=["first"],
        sized_fields=["edges"],
        assumed_size=UNSET,
        require_one_slicing_argument=UNSET,
    )


def bounded_list(size: int) -> ListSize:
    """`@listSize` of a list the domain caps at `size` items."""
    return ListSize(
        assumed_size=size,
        slicing_arguments=UNSET,
        sized_fields=UNSET,
        require_one_slicing_argument=UNSET,
    )


def is_connection(type_: Any) -> bool:
    """A Relay connection type: an object type with `edges` and `pageInfo`."""
    named = get_named_type(type_)
    return isinstance(named, GraphQLObjectType) and {"edges", "pageInfo"} <= named.fields.keys()


class NoNestedConnections(ValidationRule):
    """Refuses a connection field selected inside another connection's selection.

    Fragments are followed, so a spread cannot hide the nesting. Each fragment is walked
    once per enclosing connection (or none), however often it is spread: fragments spread
    into each other cannot make this exponential, and a cycle ends there (the standard
    rules report it).
    """

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._walked: set[tuple[str, str | None]] = set()

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        root = self.context.schema.get_root_type(node.operation)
        if root is not None:
            self._walk(node.selection_set, root, outer=None)

    def _walk(
        self,
        selections: SelectionSetNode | None,
        parent: Any,
        *,
        outer: str | None,
    ) -> None:
        if selections is None:
            return
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                self._field(selection, parent, outer=outer)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.context.schema.get_type(condition.name.value) if condition else parent
                self._walk(selection.selection_set, target, outer=outer)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or (name, outer) in self._walked:
                    continue
                self._walked.add((name, outer))
                target = self.context.schema.get_type(fragment.type_condition.name.value)
                self._walk(fragment.selection_set, target, outer=outer)

    def _field(self, node: FieldNode, parent: Any, *, outer: str | None) -> None:
        fields = getattr(get_named_type(parent), "fields", None) if parent else None
        definition = fields.get(node.name.value) if fields else None
        if definition is None:
            return  # an unknown field: the standard rules report it
        name = node.alias.value if node.alias else node.name.value
        if is_connection(definition.type):
            if outer is not None:
                self.report_error(
                    GraphQLError(
                        f"Connection '{name}' cannot be selected inside connection '{outer}':"
                        " page through it with its own query.",
                        node,
                    )
                )
                return
            outer = name
        self._walk(node.selection_set, definition.type, outer=outer)
