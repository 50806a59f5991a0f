"""A process's graceful stop: on SIGTERM it drains before it stops.

Draining (`SERVE_DRAIN_SECONDS`, see kernel/runtime/serve.py): `/ready`
answers 503 at once (so a load balancer or the runner stops choosing this
process), requests are still served, and every response carries
`Connection: close` (kernel/runtime/connection_close.py), so a client's
keep-alive connection is closed after its next answer instead of being cut
under it. At the end of the drain the
subscriptions this process serves are completed (the `ending` hooks: a
client, the gateway included, sees its subscription end and subscribes
again, which reaches another process, and reads what it may have missed),
then the listeners close, requests in flight finish, WebSocket connections
close with 1012 (service restart: clients reconnect) and the app's resources
stop (stream consumers leave what they did not handle to another consumer).
"""

from __future__ import annotations

from collections.abc import Callable


class Drain:
    """Whether this process is draining, and what to end before it stops (one per process)."""

    def __init__(self) -> None:
        self.draining = False
        self._ending: list[Callable[[], None]] = []

    def on_ending(self, hook: Callable[[], None]) -> None:
        """Call `hook` when the drain is over, before the connections close."""
        self._ending.append(hook)

    def discard(self, hook: Callable[[], None]) -> None:
        if hook in self._ending:
            self._ending.remove(hook)

    def end(self) -> None:
        """The drain is over: run the `on_ending` hooks."""
        for hook in list(self._ending):
            hook()


DRAIN = Drain()
