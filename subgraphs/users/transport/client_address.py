"""The client's network address, as the gateway in front saw it.

The gateway sets `X-Forwarded-For` to the one client address it saw (a value
the client sent is dropped); each further trusted proxy appends the address
it saw. With `hops` trusted proxies the client is the entry `hops` places
from the right; what is left of it was written by the client and is ignored.
Without the header (a direct call) or with `hops` 0 it is the socket's peer.
"""

from __future__ import annotations

from starlette.datastructures import Headers

UNKNOWN = "unknown"


def client_address(headers: Headers, peer: str | None, hops: int) -> str:
    if hops > 0:
        entries = [
            entry.strip()
            for value in headers.getlist("x-forwarded-for")
            for entry in value.split(",")
            if entry.strip()
        ]
        if len(entries) >= hops:
            return entries[-hops]
    return peer or UNKNOWN
