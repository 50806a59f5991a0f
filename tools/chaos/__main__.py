"""`python -m tools.chaos` (`make chaos`): see tools/chaos/__init__.py."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import tools.chaos
from tools.chaos.plan import Plan
from tools.chaos.run import run
from tools.stack import ROOT


def description() -> str:
    return (tools.chaos.__doc__ or "").split("\n")[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.chaos", description=description())
    parser.add_argument("--orders", type=int, default=Plan.orders)
    parser.add_argument("--replicas", type=int, default=Plan.replicas)
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds over which customers arrive"
    )
    parser.add_argument("--settle", type=float, default=Plan.settle)
    parser.add_argument(
        "--reservation-ttl",
        type=float,
        default=Plan.reservation_ttl,
        help="seconds an unpaid order lives (the declined ones expire while the run settles)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs, data)")
    args = parser.parse_args(argv)
    duration = args.duration or max(60.0, args.orders * 0.15)
    plan = Plan(args.orders, args.replicas, duration, args.settle)
    plan.reservation_ttl = args.reservation_ttl
    (ROOT / ".run").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="chaos-", dir=ROOT / ".run"))
    print(f"chaos: stack folder {work}", flush=True)
    report = run(plan, work)
    print(report.text(), flush=True)
    if report.passed and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"chaos: logs and data kept in {work}", flush=True)
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
