"""Depth and alias limits that cost one walk per fragment, however often it is spread.

Strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter` follow fragment spreads path by
path: a few hundred tokens of fragments spread twice into each other (F0 spreads F1 twice,
F1 spreads F2 twice, ...) make them walk 2^n paths and hold the event loop. These rules
count the same things (a field nested past `max_depth` levels below the root fields, every
alias each time its fragment is spread) with each fragment measured once (memoised; a
fragment cycle counts 0 there, the standard rules report it). Fields whose name starts
with `__` (introspection) are not descended into, as in Strawberry's.
"""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)


class _Measure:
    """Per document: the depth (field levels) and alias count of selection sets."""

    def __init__(self, context: ValidationContext) -> None:
        self.fragments = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self._memo: dict[str, tuple[int, int]] = {}

    def of(self, selection_set: SelectionSetNode | None) -> tuple[int, int]:
        """(levels of fields on the deepest path, aliases) of a selection set."""
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                below = (0, 0)
                if selection.selection_set and not selection.name.value.startswith("__"):
                    below = self.of(selection.selection_set)
                depth = max(depth, 1 + below[0])
                aliases += below[1] + (1 if selection.alias else 0)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
                depth, aliases = max(depth, inner[0]), aliases + inner[1]
            elif isinstance(selection, InlineFragmentNode):
                inner = self.of(selection.selection_set)
                depth, aliases = max(depth, inner[0]), aliases + inner[1]
        return depth, aliases

    def fragment(self, name: str) -> tuple[int, int]:
        known = self._memo.get(name)
        if known is None:
            self._memo[name] = (0, 0)  # while it is measured: a cycle counts nothing
            definition = self.fragments.get(name)
            known = self.of(definition.selection_set) if definition else (0, 0)
            self._memo[name] = known
        return known


def _operations(context: ValidationContext) -> list[OperationDefinitionNode]:
    return [d for d in context.document.definitions if isinstance(d, OperationDefinitionNode)]


def depth_limit(max_depth: int) -> type[ValidationRule]:
    """Refuses an operation with a field nested more than `max_depth` levels below its
    root fields (Strawberry's message)."""

    class DepthLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            measure = _Measure(context)
            for operation in _operations(context):
                if measure.of(operation.selection_set)[0] > max_depth + 1:
                    name = operation.name.value if operation.name else "anonymous"
                    context.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}", operation
                        )
                    )

    return DepthLimit


def alias_limit(max_aliases: int) -> type[ValidationRule]:
    """Refuses a document whose operations hold more than `max_aliases` aliases, each
    fragment's counted every time it is spread (Strawberry's message)."""

    class AliasLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            measure = _Measure(context)
            total = sum(measure.of(op.selection_set)[1] for op in _operations(context))
            if total > max_aliases:
                context.report_error(GraphQLError(f"{total} aliases found. Allowed: {max_aliases}"))

    return AliasLimit
