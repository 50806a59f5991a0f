"""CPU time and resident memory of the stack's processes (from /proc), and their tables."""

from __future__ import annotations

import os
import resource
from collections.abc import Mapping, Sequence

from bench.common import render_table
from bench.e2e.target import Target


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat's fields after the command name (state is [0], pgrp [2])."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()
    except OSError:
        return None


def _members(leaders: Sequence[int]) -> list[int]:
    """Every live process in the process groups of `leaders` (a part and its forks)."""
    groups = {str(pid) for pid in leaders}
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) and fields[2] in groups:
            members.append(int(entry))
    return members


def cpu_seconds(target: Target) -> dict[str, float]:
    """CPU time (user + system) used so far by each watched part, summed over its processes,
    and by this process (the load generator)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for part, leaders in target.pids.items():
        total = 0.0
        for pid in _members(leaders):
            if fields := _stat(pid):
                total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        used[part] = total
    own = resource.getrusage(resource.RUSAGE_SELF)
    used[LOAD_GENERATOR] = own.ru_utime + own.ru_stime
    return used


LOAD_GENERATOR = "(load generator)"


def cpu_split(columns: Sequence[tuple[str, Mapping[str, float], int]], unit: str) -> str:
    """CPU ms per `unit` by process: one column per (name, CPU seconds used, units done)."""
    parts = sorted(
        {p for _, cpu, _ in columns for p in cpu}, key=lambda p: (p == LOAD_GENERATOR, p)
    )
    rows = [
        [part, *(f"{cpu[part] / count * 1000:.2f}" if count else "-" for _, cpu, count in columns)]
        for part in parts
    ]
    stack = [p for p in parts if p != LOAD_GENERATOR]
    rows.append(
        [
            "stack total (without the load generator)",
            *(
                f"{sum(cpu.get(p, 0.0) for p in stack) / count * 1000:.2f}" if count else "-"
                for _, cpu, count in columns
            ),
        ]
    )
    return render_table([f"CPU ms per {unit}", *(name for name, _, _ in columns)], rows)


def rss_mib(target: Target, part: str) -> float | None:
    """Resident memory of a watched part in MiB (None when its processes are not known)."""
    total = 0
    for pid in _members(target.pids.get(part, ())):
        try:
            with open(f"/proc/{pid}/status") as status:
                total += sum(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except OSError:
            continue
    return total / 1024 if total else None
