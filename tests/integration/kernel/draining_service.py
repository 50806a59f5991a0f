"""A service for the graceful-stop test: `python -m tests.integration.kernel.draining_service`.

`GET /slow` touches DRAINING_STARTED_FILE and answers once DRAINING_RELEASE_FILE exists;
`GET /hello` answers at once; `/ws` is a WebSocket that stays open until the server closes it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic_settings import SettingsConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from subgraphs.kernel.process.settings import ServiceSettings
from subgraphs.kernel.runtime.app import create_service_app
from subgraphs.kernel.runtime.serve import serve


class DrainingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DRAINING_")

    started_file: Path
    release_file: Path


def build(settings: DrainingSettings) -> Starlette:
    async def slow(_: Request) -> Response:
        settings.started_file.touch()
        # Another process (the test) creates the file: polled.
        while not settings.release_file.exists():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        return PlainTextResponse("done")

    async def hello(_: Request) -> Response:
        return PlainTextResponse("hello")

    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        try:
            while True:
                await socket.receive_text()
        except WebSocketDisconnect:
            pass

    routes = [Route("/slow", slow), Route("/hello", hello), WebSocketRoute("/ws", ws)]
    return create_service_app(settings=settings, routes=routes)


if __name__ == "__main__":
    serve("draining", DrainingSettings(), build)
