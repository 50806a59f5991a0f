"""Free TCP ports for the servers that tests, the bench and the chaos run start.

``bind(0)`` would pick from the kernel's ephemeral range, the range every
outgoing connection also draws its local port from: a client socket could take
the port between its choice and the server's bind. Ports here come from below
that range, skip `make up`'s fixed ports, are never handed out twice in one
process, and are held, for the life of the process, by a lock on byte ``port``
of one file in the temp folder (POSIX record locks, one descriptor for every
port), so that processes running at once never get the same port either.
"""

from __future__ import annotations

import errno
import fcntl
import os
import random
import socket
import tempfile
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
DEFAULT_EPHEMERAL_RANGE = (32768, 60999)  # Linux's default, when the file is missing
LOWEST_PORT = 10000  # below: well-known and registered services
MIN_POOL = 1000  # fewer candidate ports than this: use the other side of the range
# `make up`'s own: SMTP sink, storefront, gateway and subgraphs, Redis, the sink's HTTP, Mongo.
MAKE_UP_PORTS = frozenset({1025, 3000, 3001, *range(4000, 4015), 6379, 8025, 27017})
LOCK_FILE = Path(tempfile.gettempdir()) / "free-ports.lock"


def ephemeral_range(path: Path = EPHEMERAL_RANGE_FILE) -> tuple[int, int]:
    """The kernel's ephemeral port range (first, last), or Linux's default if unreadable."""
    try:
        low, high = (int(field) for field in path.read_text().split())
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL_RANGE
    return low, high


def candidate_ports(ephemeral: tuple[int, int]) -> range:
    """The ports to hand out: below the ephemeral range, or above it when below is too small."""
    low, high = ephemeral
    below = range(LOWEST_PORT if low - LOWEST_PORT >= MIN_POOL else 1024, low)
    if len(below) >= MIN_POOL:
        return below
    above = range(high + 1, 65536)
    if len(above) >= MIN_POOL:
        return above
    raise RuntimeError(f"the ephemeral port range {low}-{high} leaves no room for servers")


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when a server could bind ``host:port`` (as servers do, with SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


class PortPool:
    """Hands out ports from ``ports``: each at most once, each locked against other processes."""

    def __init__(
        self,
        ports: Sequence[int],
        *,
        lock_file: Path = LOCK_FILE,
        skip: Collection[int] = MAKE_UP_PORTS,
    ) -> None:
        self.ports = ports
        self.lock_file = lock_file
        self.skip = frozenset(skip)
        self._given: set[int] = set()
        self._fd: int | None = None
        self._mutex = threading.Lock()

    def take(self) -> int:
        """A free port, locked until this process exits."""
        return self.take_block((0,))

    def take_block(self, offsets: Sequence[int]) -> int:
        """A port ``base`` such that ``base + offset`` is free and now locked for every offset."""
        span = max(offsets)
        with self._mutex:
            count = len(self.ports) - span
            start = random.randrange(max(count, 1))  # noqa: S311 (spreads processes, no secret)
            for i in range(count):
                base = self.ports[(start + i) % count]
                wanted = [base + offset for offset in offsets]
                if self._claim_all(wanted):
                    return base
        raise RuntimeError(
            f"no free port left in {self.ports[0]}-{self.ports[-1]} (offsets {list(offsets)})"
        )

    def _claim_all(self, ports: list[int]) -> bool:
        claimed: list[int] = []
        for port in ports:
            if port in self.skip or port in self._given or not self._lock(port):
                break
            claimed.append(port)
            if not port_free(port):
                break
        else:
            self._given.update(ports)
            return True
        for port in claimed:
            self._unlock(port)
        return False

    def _descriptor(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o666)
        return self._fd

    def _lock(self, port: int) -> bool:
        try:
            fcntl.lockf(self._descriptor(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, port)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return False  # another process holds it
            raise
        return True

    def _unlock(self, port: int) -> None:
        fcntl.lockf(self._descriptor(), fcntl.LOCK_UN, 1, port)


_pool: PortPool | None = None
_pool_mutex = threading.Lock()


def default_pool() -> PortPool:
    """This process's pool over the machine's candidate ports (made on first use)."""
    global _pool
    with _pool_mutex:
        if _pool is None:
            _pool = PortPool(candidate_ports(ephemeral_range()))
        return _pool


def free_port() -> int:
    """A TCP port free on 127.0.0.1, outside the ephemeral range, this process's alone."""
    return default_pool().take()


def free_port_block(offsets: Sequence[int]) -> int:
    """A base port with ``base + offset`` free and this process's alone for every offset."""
    return default_pool().take_block(offsets)
