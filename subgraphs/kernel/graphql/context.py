"""The per-request context every subgraph's context extends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket

from subgraphs.kernel.core.clock import Clock, utc_now
from subgraphs.kernel.graphql.auth import RequestAuth, TokenVerifier, bearer_token


@dataclass(kw_only=True)
class RequestContext:
    """One HTTP request or one WebSocket connection.

    Strawberry sets `connection_params` from the graphql-transport-ws
    `connection_init` payload, which is where a WebSocket client's token is.
    """

    request: Request | WebSocket
    verifier: TokenVerifier
    connection_params: dict[str, Any] | None = None
    clock: Clock = utc_now
    auth: RequestAuth = field(init=False)

    @property
    def is_websocket(self) -> bool:
        """One context serves a whole WebSocket connection: don't cache data in it."""
        return isinstance(self.request, WebSocket)

    def __post_init__(self) -> None:
        self.auth = RequestAuth(
            self.verifier,
            lambda: bearer_token(self.request.headers, self.connection_params),
            clock=self.clock,
        )
