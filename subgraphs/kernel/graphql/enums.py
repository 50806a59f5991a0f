"""GraphQL enums over domain enums, with a description on every value.

Domain enums stay plain `enum.Enum` (the domain imports no framework), so the descriptions of
their values are given here, where the transport layer exposes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=Enum)


def described_enum(
    cls: type[E], *, description: str, values: Mapping[str, str], name: str | None = None
) -> type[E]:
    """`strawberry.enum(cls, name=name)` with `values[value]` as each value's description.

    Every value needs one, and only values of `cls` may have one: a value added to the domain
    without a description fails here, when the schema is built.
    """
    exposed = strawberry.enum(cls, name=name, description=description)
    definition = exposed.__strawberry_definition__  # type: ignore[attr-defined]
    names = {value.name for value in definition.values}
    if names != set(values):
        missing, unknown = sorted(names - set(values)), sorted(set(values) - names)
        raise ValueError(f"{cls.__name__}: descriptions missing for {missing}, unknown {unknown}")
    for value in definition.values:
        value.description = values[value.name]
    return exposed
