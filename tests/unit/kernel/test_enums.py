from __future__ import annotations

from enum import Enum

import pytest
import strawberry

from subgraphs.kernel.graphql.enums import described_enum


class Size(Enum):
    SMALL = "small"
    LARGE = "large"


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


SizeType = described_enum(
    Size, description="How big.", values={"SMALL": "Fits a pocket.", "LARGE": "Does not."}
)


@strawberry.type
class Query:
    size: SizeType = Size.SMALL  # type: ignore[valid-type]


def test_every_value_gets_its_description_in_the_schema() -> None:
    sdl = strawberry.Schema(query=Query).as_str()
    assert '"""How big."""\nenum Size {\n  """Fits a pocket."""\n  SMALL' in sdl
    assert '"""Does not."""\n  LARGE' in sdl


def test_a_value_without_a_description_is_refused() -> None:
    with pytest.raises(ValueError, match=r"missing for \['BLUE'\], unknown \['GREEN'\]"):
        described_enum(Colour, description="A colour.", values={"RED": "Red.", "GREEN": "Green."})
