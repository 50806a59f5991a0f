"""The one id maker: random UUIDs as text. Use cases take a `NewId`; tests pass a fake."""

from __future__ import annotations

import uuid
from collections.abc import Callable

NewId = Callable[[], str]


def new_id() -> str:
    """A new random id (UUID 4, canonical text form)."""
    return str(uuid.uuid4())
