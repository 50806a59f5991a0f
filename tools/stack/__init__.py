"""The local stack `make up` runs (`python -m tools.stack`), also started by tests, chaos and bench.

- `config`: where it runs (ports, folders, which stores), `free_layout` for a stack on free ports
- `parts`: the processes (subgraphs, workers, SMTP sink, local Twilio API, gateway), described,
  not started
- `startup`: starting them in order, each after the previous one is ready
- `supervision`: restarting parts that die, giving up on parts that keep dying
- `lock`: one stack per data folder
- `__main__`: the command line (signals, the printed URLs, the exit status)
"""

from tools.stack.config import (
    GATEWAY_PORT,
    ROOT,
    WORKERS,
    StackConfig,
    Subgraph,
    free_layout,
    read_subgraphs,
)
from tools.stack.lock import LOCK_NAME, AlreadyRunning, StackLock, describe_holder
from tools.stack.parts import (
    GATEWAY_ARGV,
    gateway_process,
    localstripe_process,
    smtp_sink_process,
    subgraph_process,
    twilio_api_process,
    worker_process,
)
from tools.stack.startup import Running, start
from tools.stack.supervision import PartDied, Restart, Stack

__all__ = [
    "GATEWAY_ARGV",
    "GATEWAY_PORT",
    "LOCK_NAME",
    "ROOT",
    "WORKERS",
    "AlreadyRunning",
    "PartDied",
    "Restart",
    "Running",
    "Stack",
    "StackConfig",
    "StackLock",
    "Subgraph",
    "describe_holder",
    "free_layout",
    "gateway_process",
    "localstripe_process",
    "read_subgraphs",
    "smtp_sink_process",
    "start",
    "subgraph_process",
    "twilio_api_process",
    "worker_process",
]
