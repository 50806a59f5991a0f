"""Supervision: parts that die after they were ready are started again, with a backoff.

A part that exits is restarted after 0.5 s, doubling up to 10 s, with a line
saying what died, how and which attempt this is. One that fails
MAX_QUICK_FAILURES times in a row without staying up STABLE_SECONDS is given
up on (PartDied, with its log tail). `Stack` also starts parts in order, stops
them (the processes at once, then the stores), and rolls a service's processes
over to new ones (`roll`: each successor started and ready before its
predecessor is stopped).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from tools import procs
from tools.procs import ManagedProcess, StartupError

FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0
STABLE_SECONDS = 30.0  # up this long: the next death starts a fresh series of attempts
MAX_QUICK_FAILURES = 5  # deaths in a row, none up STABLE_SECONDS: give up
WATCH_INTERVAL = 0.2
# Parts every other part needs until it has stopped: stopped last.
STORES = ("mongodb", "redis")
# A process being replaced gets this long after SIGTERM (drain and requests in flight) before
# SIGKILL; above a subgraph's SERVE_DRAIN_SECONDS + SERVE_STOP_TIMEOUT_SECONDS.
ROLLOUT_STOP_SECONDS = 15.0


class PartDied(Exception):
    """A part kept failing: the supervisor gave up on it."""


class RolloutRefused(Exception):
    """A rollout that cannot be done, or whose successor never got ready (the old process
    still serves)."""


def say(text: str) -> None:
    print(text, flush=True)


@dataclass
class Supervised:
    """A long-running part and its restart bookkeeping."""

    part: ManagedProcess
    up_since: float = 0.0
    failures: int = 0  # deaths in a row, none after a stable run
    restart_at: float | None = None  # waiting for its backoff
    starting_until: float | None = None  # restarted, waiting for readiness
    held: bool = False  # stopped on purpose (a test or the chaos run): not restarted
    restarts: int = 0


@dataclass(frozen=True)
class Restart:
    """One supervision event, for the chaos report."""

    at: float
    part: str
    what: str


class Stack:
    """The parts started so far, supervised, stopped in reverse order."""

    def __init__(self, *, log: Callable[[str], None] = say) -> None:
        self.env: dict[str, str] = {}  # exported to every child, over os.environ
        self.parts: list[ManagedProcess] = []
        self.supervised: dict[str, Supervised] = {}
        self.history: list[Restart] = []
        self.say = log
        self.on_change: Callable[[], None] | None = None  # after a part died or came back
        self.on_tick: Callable[[], None] | None = None  # every supervision pass (requests)
        # service -> its processes (by part name) and how to start a successor of each
        self.services: dict[str, dict[str, Callable[[], ManagedProcess]]] = {}
        self.held_open: list[socket.socket] = []  # listening sockets its processes inherit
        self._lock = threading.RLock()

    def launch(self, part: ManagedProcess) -> None:
        """Start ``part`` and wait until it is ready; it is supervised and stopped with the rest."""
        self.say(f"starting {part.name} ...")
        began = time.monotonic()
        with self._lock:
            self.parts.append(part)
        part.start()
        part.wait_ready()
        with self._lock:
            self.supervised[part.name] = Supervised(part, up_since=time.monotonic())
        self.say(f"{part.name} ready ({time.monotonic() - began:.1f}s)")

    def hold_open(self, listener: socket.socket) -> None:
        """Keep ``listener`` open while the stack runs (its processes, successors included,
        accept on it), closed after every part stopped."""
        self.held_open.append(listener)

    def launch_all(self, parts: list[ManagedProcess]) -> None:
        """Start ``parts`` together and wait until every one is ready."""
        began = time.monotonic()
        self.say(f"starting {', '.join(p.name for p in parts)} ...")
        with self._lock:
            self.parts.extend(parts)
        for part in parts:
            part.start()
        for part in parts:
            part.wait_ready()
        with self._lock:
            for part in parts:
                self.supervised[part.name] = Supervised(part, up_since=time.monotonic())
        self.say(f"{', '.join(p.name for p in parts)} ready ({time.monotonic() - began:.1f}s)")

    def run_once(self, part: ManagedProcess, timeout: float) -> None:
        """Run a one-shot ``part`` to completion; raise StartupError if it fails."""
        self.say(f"running {part.name} ...")
        began = time.monotonic()
        with self._lock:
            self.parts.append(part)
        part.start()
        try:
            code = part.wait(timeout)
        except TimeoutError as exc:
            raise StartupError(part.report(f"did not finish in {timeout:g}s")) from exc
        with self._lock:
            self.parts.remove(part)
        if code != 0:
            raise StartupError(part.report(procs.describe_exit(code)))
        self.say(f"{part.name} done ({time.monotonic() - began:.1f}s)")

    def part(self, name: str) -> ManagedProcess:
        return self.supervised[name].part

    def names(self, prefix: str) -> list[str]:
        """The supervised parts called ``prefix`` or ``prefix-<n>`` (replicas)."""
        return [n for n in self.supervised if n == prefix or n.startswith(f"{prefix}-")]

    def is_up(self, name: str) -> bool:
        """True when ``name`` runs and the supervisor saw it ready (not held or restarting)."""
        with self._lock:
            entry = self.supervised[name]
            return (
                entry.part.alive
                and not entry.held
                and entry.restart_at is None
                and entry.starting_until is None
            )

    def hold(self, name: str) -> None:
        """Stop ``name`` and keep it stopped until ``release(name)``."""
        with self._lock:
            entry = self.supervised[name]
            entry.held = True
            entry.restart_at = entry.starting_until = None
        entry.part.stop()
        self._note(name, "held (stopped on purpose)")

    def release(self, name: str) -> None:
        """Start a held part again (readiness is awaited by the supervisor)."""
        with self._lock:
            entry = self.supervised[name]
            entry.held = False
            entry.failures = 0
            entry.restart_at = time.monotonic()

    def watch(self, stop: threading.Event | None = None) -> None:
        """Supervise until ``stop`` is set or a signal arrives; PartDied when giving up."""
        while stop is None or not stop.is_set():
            self.check()
            if self.on_tick is not None:
                self.on_tick()
            time.sleep(WATCH_INTERVAL)

    def check(self) -> None:
        """One supervision pass over every part."""
        now = time.monotonic()
        with self._lock:
            entries = list(self.supervised.values())
        for entry in entries:
            with self._lock:
                if entry.held or self.supervised.get(entry.part.name) is not entry:
                    continue  # held, or replaced by a successor meanwhile
                self._check(entry, now)

    def _check(self, entry: Supervised, now: float) -> None:
        part = entry.part
        if entry.restart_at is not None:
            if now >= entry.restart_at:
                entry.restart_at = None
                part.stop()  # whatever the dead leader left in its process group
                try:
                    part.start()
                except StartupError as exc:
                    self._failed(entry, now, str(exc))
                    return
                entry.starting_until = now + part.ready_timeout
            return
        code = part.returncode
        if entry.starting_until is not None:
            if code is not None:
                self._failed(entry, now, f"{procs.describe_exit(code)} before it was ready")
            elif part.ready_now():
                entry.starting_until = None
                entry.up_since = now
                self._note(part.name, f"is back (pid {part.pid})")
            elif now >= entry.starting_until:
                part.stop()
                self._failed(entry, now, f"not ready after {part.ready_timeout:g}s")
            return
        if code is None:
            return
        if now - entry.up_since >= STABLE_SECONDS:
            entry.failures = 0
        self._failed(entry, now, procs.describe_exit(code))

    def _failed(self, entry: Supervised, now: float, what: str) -> None:
        part = entry.part
        entry.failures += 1
        entry.starting_until = None
        if entry.failures > MAX_QUICK_FAILURES:
            raise PartDied(
                part.report(f"{what}; gave up after {MAX_QUICK_FAILURES} quick restarts")
            )
        backoff = min(FIRST_BACKOFF_SECONDS * 2 ** (entry.failures - 1), MAX_BACKOFF_SECONDS)
        entry.restart_at = now + backoff
        entry.restarts += 1
        self._note(
            part.name,
            f"{what}; restarting in {backoff:g}s "
            f"(attempt {entry.failures} of {MAX_QUICK_FAILURES})",
        )

    def _note(self, name: str, what: str) -> None:
        self.history.append(Restart(time.monotonic(), name, what))
        self.say(f"supervisor: {name} {what}")
        if self.on_change is not None:
            self.on_change()

    def serve_as(
        self, service: str, parts: list[ManagedProcess], successor: Callable[[str], ManagedProcess]
    ) -> None:
        """Record ``parts`` as the processes of ``service``; ``successor(name)`` makes a new
        process to take the place of part ``name`` (not started)."""
        self.services[service] = {part.name: partial(successor, part.name) for part in parts}

    def roll(self, service: str, ready_timeout: float, report: Callable[[str], None]) -> None:
        """Replace the processes of ``service`` one by one: each successor is started and
        must be ready within ``ready_timeout`` before its predecessor is stopped (SIGTERM: it
        drains). RolloutRefused, with everything still serving, when that cannot be done."""
        if service not in self.services:
            known = ", ".join(sorted(self.services))
            raise RolloutRefused(f"unknown service {service!r} (one of: {known})")
        parts = self.services[service]
        if len(parts) < 2:
            raise RolloutRefused(
                f"{service} runs one process: restarting it would stop the service "
                "(run the stack with REPLICAS=2)"
            )
        for name in parts:
            if not self.is_up(name):
                raise RolloutRefused(f"{name} is not up; nothing was restarted")
        for name, make in parts.items():
            began = time.monotonic()
            report(f"{name}: starting its successor ...")
            successor = make()
            successor.ready_timeout = ready_timeout
            try:
                successor.start()
                successor.wait_ready()
            except StartupError as exc:
                successor.stop()
                raise RolloutRefused(
                    f"{name}: its successor did not get ready, so {name} keeps serving\n{exc}"
                ) from exc
            with self._lock:
                old = self.supervised[name]
                old.held = True
                self.supervised[name] = Supervised(successor, up_since=time.monotonic())
                self.parts[self.parts.index(old.part)] = successor
            self._note(name, f"replaced: pid {successor.pid} serves, pid {old.part.pid} stops")
            old_pid = old.part.pid
            code = old.part.stop(timeout=ROLLOUT_STOP_SECONDS)
            how = procs.describe_exit(code) if code is not None else "stopped"
            report(
                f"{name}: pid {successor.pid} serves; pid {old_pid} {how} "
                f"({time.monotonic() - began:.1f}s)"
            )

    def pids(self) -> dict[str, dict[str, int | None]]:
        """Every supervised part's process id (None while it is down) and probed port."""
        with self._lock:
            return {
                name: {"pid": e.part.pid if e.part.alive else None, "port": e.part.port}
                for name, e in self.supervised.items()
            }

    def stop_all(self) -> None:
        with self._lock:
            parts = list(reversed(self.parts))
            self.parts.clear()
            self.supervised.clear()
        # The processes drain at once (each takes up to SERVE_DRAIN_SECONDS, one after the other
        # that was half a minute for a two-process stack); the stores stop after them, in order.
        services = [part for part in parts if part.name not in STORES]
        for part in services:
            if part.alive:
                self.say(f"stopping {part.name} ...")
        stopping = [threading.Thread(target=part.stop, daemon=True) for part in services]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()
        for part in parts:
            if part.name in STORES:
                if part.alive:
                    self.say(f"stopping {part.name} ...")
                part.stop()
        for listener in self.held_open:
            listener.close()
        self.held_open.clear()
