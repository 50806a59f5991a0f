"""A process's graceful stop: on SIGTERM it drains before it stops.

Draining (`SERVE_DRAIN_SECONDS`, see serve.py): `/ready` answers 503 at once
(so a load balancer or the runner stops choosing this process), requests are
still served, and every response carries `Connection: close`, so a client's
keep-alive connection is closed after its next answer instead of being cut
under it. Then the listeners close, requests in flight finish, WebSocket
connections close with 1012 (service restart: clients reconnect to another
process) and the app's resources stop (stream consumers leave what they did
not handle to another consumer).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Drain:
    """Whether this process is draining (one per process: the server that serves it)."""

    def __init__(self) -> None:
        self.draining = False


DRAIN = Drain()

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
