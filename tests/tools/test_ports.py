"""tools.ports: ports below the ephemeral range, never make up's, never twice, across processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tools.ports import (
    MAKE_UP_PORTS,
    PortPool,
    candidate_ports,
    ephemeral_range,
    free_port,
    free_port_block,
    port_free,
)

MANY = 300


def test_many_ports_are_below_the_ephemeral_range_unique_and_not_make_ups():
    low, _ = ephemeral_range()
    ports = [free_port() for _ in range(MANY)]
    assert len(set(ports)) == len(ports), "a port was handed out twice"
    assert all(port < low for port in ports), [p for p in ports if p >= low]
    assert not MAKE_UP_PORTS & set(ports)
    assert all(port_free(port) for port in ports)


def test_a_block_is_free_as_a_whole_and_never_overlaps_single_ports():
    offsets = (0, 1, 2, 3, 4, 14)
    singles = {free_port() for _ in range(50)}
    base = free_port_block(offsets)
    block = {base + offset for offset in offsets}
    assert not block & singles
    assert max(block) < ephemeral_range()[0]
    assert free_port_block(offsets) != base


def take_or_none(pool: PortPool) -> int | None:
    try:
        return pool.take()
    except RuntimeError:
        return None


def test_make_ups_ports_are_skipped(tmp_path: Path):
    pool = PortPool(range(3990, 4020), lock_file=tmp_path / "ports.lock")
    taken = set()
    while port := take_or_none(pool):
        taken.add(port)
    assert not taken & MAKE_UP_PORTS
    assert taken  # 3990-3999 and 4015-4019, those that nothing else listens on


def test_a_port_something_listens_on_is_skipped(tmp_path: Path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        busy = listener.getsockname()[1]
        pool = PortPool([busy], lock_file=tmp_path / "ports.lock")
        with pytest.raises(RuntimeError, match="no free port left"):
            pool.take()


def test_the_ephemeral_range_is_read_from_the_kernel_file_with_a_default(tmp_path: Path):
    file = tmp_path / "ip_local_port_range"
    file.write_text("20000\t30000\n")
    assert ephemeral_range(file) == (20000, 30000)
    assert ephemeral_range(tmp_path / "missing") == (32768, 60999)
    assert candidate_ports((20000, 30000)) == range(10000, 20000)
    assert candidate_ports((1024, 60000)) == range(60001, 65536)  # no room below: above it
    with pytest.raises(RuntimeError, match="no room"):
        candidate_ports((1024, 65000))


CHILD = textwrap.dedent(
    """
    import sys
    from tools.ports import free_port
    print(" ".join(str(free_port()) for _ in range({count})), flush=True)
    sys.stdin.read()  # hold the ports until the test has read both lists
    """
)


def test_processes_running_at_once_never_get_the_same_port():
    argv = [sys.executable, "-c", CHILD.format(count=MANY)]
    children = [
        subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    try:
        lists = [set(map(int, child.stdout.readline().split())) for child in children]  # type: ignore[union-attr]
        mine = {free_port() for _ in range(MANY)}  # while the children hold theirs
    finally:
        for child in children:
            child.communicate("")
    assert all(len(ports) == MANY for ports in lists)
    for i, ports in enumerate(lists):
        assert not ports & mine
        for other in lists[i + 1 :]:
            assert not ports & other
