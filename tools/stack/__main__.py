"""`python -m tools.stack` (what `make up` runs): the whole local stack, supervised.

Starts, in order and each after the previous one is ready: MongoDB
(SecantusDB, unless MONGODB_URI is set), Redis (unless one answers at
REDIS_URL), the SMTP sink (unless SMTP_HOST is set), every subgraph listed
in supergraph.yaml, the workers, supergraph composition, the gateway
(Hive Gateway) and the storefront (tools/storefront_server.py serving the
built web app on :3000, printed first). Logs go to .run/logs/<part>.log; the
sink keeps mail in .data/mail.

Supervision: a part that exits after it was ready is started again after a
backoff (0.5 s, doubling up to 10 s), with a line saying what died, how and
which attempt this is. A part that fails MAX_QUICK_FAILURES times in a row
without staying up STABLE_SECONDS is given up on: its log tail is printed
and the whole stack stops (exit status 1). Ctrl-C or SIGTERM stops every
part in reverse order.

One stack per data folder: the runner holds an exclusive lock on
`<data>/stack.lock` (which also says where the running stack is), so a second
`make up` says the stack is already running and exits with status 1 without
touching it.

Replicas: with REPLICAS=N (default 1) every subgraph and the notifications
worker run as N processes sharing their port (SO_REUSEPORT: the kernel
spreads connections over them); each process also listens on a private port
of its own, which the runner probes, so every replica is checked and
restarted on its own. A subgraph's internal listener (its port + 20: /metrics,
readiness checks) is shared the same way; its `/metrics` sums every process of
that service (METRICS_MULTIPROCESS_DIR, see subgraphs/kernel/observability/metrics.py).
The gateway runs as N processes too: Node 20 cannot share a port with SO_REUSEPORT, so the
runner binds the gateway's port once and every gateway process accepts on that socket,
inherited (GATEWAY_LISTEN_FD, router/edge/drain.ts); each has an internal listener of its own
(the first on the configured one), whose /ready the runner probes.

Rollouts: `make rollout SERVICE=orders` (tools/stack/rollout.py) asks the
running stack, through files in its control folder (tools/stack/control.py),
to replace that service's processes one by one, each successor ready before
its predecessor stops.

Settings (environment: `STACK_*`, `REPLICAS`, and MONGODB_URI, REDIS_URL, SMTP_HOST to
use servers that already run) move a second stack onto other ports and folders; they are
listed in docs/configuration.md. `StackConfig.from_env` reads them all; in-process callers
(tests, `make chaos`, the bench) build a `StackConfig` and pass it instead.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

from tools.procs import StartupError
from tools.stack.config import StackConfig, redact
from tools.stack.control import Control
from tools.stack.lock import AlreadyRunning, locked
from tools.stack.startup import Running, start
from tools.stack.supervision import PartDied, Stack, say


class Stopped(Exception):
    """Raised by the SIGINT/SIGTERM/SIGHUP handler to unwind to the shutdown."""


def print_urls(stack: Stack, running: Running) -> None:
    config = running.config
    names = [*running.urls, "mongodb", "redis", "logs"]
    width = max(map(len, names)) + 2
    lines = ["", "stack ready:"]
    notes = {
        "storefront": "  (the shop)",
        "backoffice": "  (the back office, for staff)",
        "gateway": "  (GraphiQL on GET)",
        "smtp-sink": f"  (mail files in {config.data_dir / 'mail'})",
    }
    notes.update(
        {s.name: f"  {s.url('/ready')}  {s.internal_url('/metrics')}" for s in running.subgraphs}
    )
    for name, url in running.urls.items():
        lines.append(f"  {name:<{width}}{url}{notes.get(name, '')}")
    lines += [
        f"  {'mongodb':<{width}}{redact(running.mongodb)}",
        f"  {'redis':<{width}}{redact(running.redis)}",
        f"  {'logs':<{width}}{config.logs}/<part>.log",
    ]
    if config.replicas > 1:
        lines.append(f"  {config.replicas} processes per subgraph, worker and gateway (REPLICAS)")
    lines.append("Parts that die are restarted. Ctrl-C stops everything.")
    stack.say("\n".join(lines))


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


def main() -> int:
    """Start the stack, keep it running, stop it; the exit status."""
    try:
        config = StackConfig.from_env()
    except StartupError as exc:
        say(f"FAILED: {exc}")
        return 1
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for sig in handled:
        signal.signal(sig, _raise_stopped)
    stack = Stack()
    status = 0
    try:
        with locked(config.data_dir) as lock:
            try:
                running = start(stack, config)
                control = Control(config.run_dir / "control", stack)

                def publish() -> None:
                    lock.write(
                        {
                            "pid": os.getpid(),
                            "state": "running",
                            "urls": running.urls,
                            "parts": stack.pids(),
                            "control": str(control.folder),
                        }
                    )

                publish()
                stack.on_change = publish
                stack.on_tick = control.poll
                print_urls(stack, running)
                stack.watch()
            except Stopped as exc:
                say(f"\n{exc}: stopping")
            except StartupError as exc:
                say(f"FAILED: {exc}")
                status = 1
            except PartDied as exc:
                say(f"GAVE UP: {exc}")
                status = 1
            finally:
                for sig in handled:  # a second Ctrl-C must not cut the shutdown short
                    signal.signal(sig, signal.SIG_IGN)
                stack.stop_all()
    except AlreadyRunning as exc:
        say(str(exc))
        return 1
    except Stopped:
        pass
    say("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
