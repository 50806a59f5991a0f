"""`make rollout SERVICE=orders`: restart one service of the running `make up`, process by
process, with no request failing.

The running stack (found through its lock, `<data>/stack.lock`, as `make up`
finds it; STACK_DATA_DIR moves it) starts a successor of each of the
service's processes on the shared port, waits until it is ready, then stops
the old one (SIGTERM: it drains, see subgraphs/kernel/process/drain.py).
Exit status 1, with the old processes still serving, when no stack runs, the
service is unknown, the stack runs one process of it (REPLICAS=1), or a
successor is not ready within READY_TIMEOUT seconds (default 60).

Services: users, catalog, orders, payments, notifications (the subgraph),
notifications-worker, gateway (its processes accept on one socket the runner holds, so a
successor serves the port before its predecessor drains: router/edge/drain.ts).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
from pathlib import Path

from tools.procs import StartupError
from tools.stack.config import StackConfig
from tools.stack.control import send
from tools.stack.lock import LOCK_NAME
from tools.stack.supervision import say

DEFAULT_READY_TIMEOUT = 60.0


def held(lock: Path) -> bool:
    """True while a runner holds ``lock`` (what it wrote there is about that runner)."""
    try:
        with lock.open("r", encoding="utf-8") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(file, fcntl.LOCK_UN)
            return False
    except FileNotFoundError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make rollout", description=__doc__.split("\n")[0])
    parser.add_argument("service", nargs="?", default="", help="the service to roll over")
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=float(os.environ.get("READY_TIMEOUT") or DEFAULT_READY_TIMEOUT),
        help="seconds each successor has to get ready (READY_TIMEOUT)",
    )
    args = parser.parse_args(argv)
    if not args.service:
        say("FAILED: name the service: make rollout SERVICE=orders")
        return 1
    try:
        config = StackConfig.from_env()
    except StartupError as exc:
        say(f"FAILED: {exc}")
        return 1
    lock = config.data_dir / LOCK_NAME
    info = {}
    if held(lock):
        try:
            info = json.loads(lock.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
    if info.get("state") != "running" or not info.get("control"):
        say(f"FAILED: no running stack (no `make up` holds {lock}); nothing was restarted")
        return 1
    # Each successor may take the timeout; each predecessor then drains and stops.
    parts = max(len([n for n in info.get("parts", {}) if n.startswith(args.service)]), 1)
    return send(
        Path(info["control"]),
        {"service": args.service, "ready_timeout": args.ready_timeout},
        alive=lambda: held(lock),
        say=say,
        timeout=parts * (args.ready_timeout + 30.0) + 30.0,
    )


if __name__ == "__main__":
    sys.exit(main())
