"""`Connection: close` on every HTTP response while the process drains (kernel/process/drain.py)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from subgraphs.kernel.process.drain import DRAIN, Drain

CONNECTION_CLOSE = (b"connection", b"close")


def closing_when_draining(app: ASGIApp, drain: Drain = DRAIN) -> ASGIApp:
    """``app`` whose HTTP responses say `Connection: close` while ``drain`` is on."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and drain.draining:
                headers = [h for h in message.get("headers", ()) if h[0].lower() != b"connection"]
                message = {**message, "headers": [*headers, CONNECTION_CLOSE]}
            await send(message)

        await app(scope, receive, send_closing)

    return wrapped
