"""The faults, injected into a running stack one after another, and how long each part took back."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from testkit.waiting import TimedOut, eventually
from tools.chaos.customers import Stats
from tools.stack import Running, Stack


@dataclass
class Fault:
    name: str
    at: float = 0.0  # seconds since start
    recovered_after: float | None = None
    note: str = ""


class Faults:
    """The faults, injected into a running stack one after another."""

    def __init__(self, stack: Stack, running: Running, stats: Stats) -> None:
        self.stack = stack
        self.running = running
        self.stats = stats
        self.log: list[Fault] = []
        self.last_end = 0.0

    def pid(self, name: str) -> int:
        pid = self.stack.part(name).pid
        assert pid is not None, name
        return pid

    async def until(
        self, condition: Callable[[], bool | Awaitable[bool]], timeout: float = 120.0
    ) -> bool:
        """Whether ``condition()`` (or what it awaits) came to hold within ``timeout`` seconds."""

        async def holds() -> bool:
            result = condition()
            return await result if inspect.isawaitable(result) else result

        try:
            return await eventually(holds, timeout=timeout, what="the condition")
        except TimedOut:
            return False

    async def back(self, name: str, old_pid: int, began: float, fault: Fault) -> None:
        def up() -> bool:
            part = self.stack.part(name)
            return part.pid != old_pid and self.stack.is_up(name)

        if await self.until(up, 180):
            fault.recovered_after = time.monotonic() - began
        else:
            fault.note += " (not back after 180 s)"

    def _start(self, name: str) -> tuple[Fault, float]:
        fault = Fault(name, at=self.stats.t())
        self.log.append(fault)
        print(f"[chaos t={fault.at:6.1f}s] {name}", flush=True)
        return fault, time.monotonic()

    def _end(self) -> None:
        self.last_end = time.monotonic()

    async def kill_mid_request(self, service: str, op: str) -> None:
        name = self.stack.names(service)[0]
        fault, began = self._start(f"SIGKILL {name} while {op} requests are in flight")
        await self.until(lambda: self.stats.inflight[op] > 0, 30)
        fault.note = f"{self.stats.inflight[op]} {op} in flight"
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)
        await self.back(name, pid, began, fault)
        self._end()

    async def kill_worker_mid_send(self) -> None:
        fault, began = self._start("SIGKILL a worker in the middle of an SMTP send")
        assert self.running.smtp_sink is not None
        sink = self.running.smtp_sink.rsplit("/messages", 1)[0]
        maildir = self.running.config.data_dir / "mail"
        workers = {self.pid(n): n for n in self.stack.names("notifications-worker")}
        smtp_port = self.running.config.smtp_port
        async with httpx.AsyncClient(timeout=10) as http:
            stored = len(list(maildir.glob("*.eml")))
            await http.put(f"{sink}/hold")
            victim: int | None = None
            try:

                async def sending() -> bool:
                    nonlocal victim
                    if len(list(maildir.glob("*.eml"))) <= stored:
                        return False  # nothing accepted (and held) yet
                    # Workers keep idle SMTP connections: the sender is the one whose
                    # connection waits for its reply to DATA (the sink names its port).
                    waiting = set((await http.get(f"{sink}/hold")).json()["waiting"])
                    owners = pids_connected_to(smtp_port, set(workers), waiting)
                    victim = owners[0] if owners else None
                    return victim is not None

                if await self.until(sending, 60) and victim is not None:
                    os.kill(victim, signal.SIGKILL)
                    fault.note = f"{workers[victim]} (pid {victim}) killed with a message held"
            finally:
                await http.delete(f"{sink}/hold")
        if victim is None:
            fault.note = "no send was caught in flight within 60 s"
            return
        await self.back(workers[victim], victim, began, fault)
        self._end()

    async def restart(self, name: str, sig: signal.Signals, label: str) -> None:
        fault, began = self._start(label)
        pid = self.pid(name)
        os.kill(pid, sig)
        await self.back(name, pid, began, fault)
        self._end()

    async def freeze(self, name: str, seconds: float) -> None:
        fault, began = self._start(f"SIGSTOP {name} for {seconds:g}s, then SIGCONT")
        pid = self.pid(name)
        os.kill(pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(seconds)
        finally:
            os.kill(pid, signal.SIGCONT)
        fault.recovered_after = time.monotonic() - began
        self._end()

    async def away(self, name: str, seconds: float) -> None:
        fault, began = self._start(f"{name} away for {seconds:g}s")
        pid = self.pid(name)
        await asyncio.to_thread(self.stack.hold, name)
        await asyncio.sleep(seconds)
        self.stack.release(name)
        await self.back(name, pid, began, fault)
        self._end()

    def plan(self) -> list[Callable[[], Awaitable[None]]]:
        # On stripe, the provider stops answering for a while (localstripe keeps its state in
        # memory: frozen, not restarted): charges in flight wait for reconciliation.
        on_stripe = any(part.name == "localstripe" for part in self.stack.parts)
        provider = [lambda: self.freeze("localstripe", 5)] if on_stripe else []
        return [
            lambda: self.kill_mid_request("orders", "createOrder"),
            lambda: self.kill_mid_request("payments", "processPayment"),
            *provider,
            self.kill_worker_mid_send,
            lambda: self.restart("redis", signal.SIGTERM, "Redis stopped with SIGTERM"),
            lambda: self.freeze("mongodb", 5),
            lambda: self.restart(
                "redis", signal.SIGKILL, "Redis killed with SIGKILL (appendfsync always)"
            ),
            lambda: self.restart(
                "mongodb", signal.SIGTERM, "SecantusDB stopped with SIGTERM (data on disk)"
            ),
            lambda: self.away("smtp-sink", 10),
            lambda: self.restart(
                "gateway-1", signal.SIGTERM, "a gateway process stopped with SIGTERM (it drains)"
            ),
        ]


def pids_connected_to(
    port: int, candidates: set[int], from_ports: set[int] | None = None
) -> list[int]:
    """Which of ``candidates`` hold an established TCP connection to 127.0.0.1:``port`` (from
    one of ``from_ports``, when given)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if from_ports is not None and local_port not in from_ports:
                    continue
                if remote_port == port and fields[3] == "01":  # ESTABLISHED
                    inodes.add(f"socket:[{fields[9]}]")
    owners = []
    for pid in candidates:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        owners.append(pid)
                        break
    return owners
