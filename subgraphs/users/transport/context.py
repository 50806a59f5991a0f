"""The users request context: the caller, the use cases and per-request DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from subgraphs.kernel.graphql.context import RequestContext
from subgraphs.users.domain.user import User
from subgraphs.users.transport.client_address import client_address
from subgraphs.users.usecase import UsersUseCases


@dataclass(kw_only=True)
class UsersContext(RequestContext):
    usecases: UsersUseCases
    proxy_hops: int = 0  # trusted proxies that append to X-Forwarded-For (settings)
    users_by_id: DataLoader[str, User | None] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.users_by_id = DataLoader(load_fn=self.usecases.read_users)

    @property
    def client_address(self) -> str:
        """Who sent the request, for the per-address throttles."""
        peer = self.request.client.host if self.request.client else None
        return client_address(self.request.headers, peer, self.proxy_hops)
