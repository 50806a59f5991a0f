"""Run a service's ASGI app (a subgraph, a worker) under uvicorn, built inside its event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp

from subgraphs.kernel.logging import configure_logging
from subgraphs.kernel.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def serve(service: str, settings: S, build_app: Callable[[S], ASGIApp]) -> None:
    """Configure JSON logs and serve `build_app(settings)` until SIGINT/SIGTERM."""
    configure_logging(service, settings.log_level)

    async def main() -> None:
        config = uvicorn.Config(
            build_app(settings),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            lifespan="on",
            ws="websockets-sansio",
            proxy_headers=False,
            server_header=False,
        )
        await uvicorn.Server(config).serve()

    asyncio.run(main())
