"""A whole stack on free ports for the end-to-end bench: its own Redis, never the shared one."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from bench.e2e import Target
from tools.compose import compose_supergraph
from tools.procs import ManagedProcess, free_port
from tools.stack import gateway_process, smtp_sink_process, subgraph_process, worker_process
from tools.stores import redis_server, secantusdb

SUBGRAPHS = ("users", "orders", "payments", "notifications")
# Data and logs of the last run (kept afterwards, to read when a figure looks wrong).
RUN_DIR = Path(__file__).resolve().parents[1] / ".run" / "bench-e2e"


@contextlib.contextmanager
def bench_stack() -> Iterator[Target]:
    """Start SecantusDB (on disk, as `make up`), Redis, the SMTP sink, the subgraphs, the
    worker and the gateway, each on a free port; stop them all afterwards.

    Everything runs in `.run/bench-e2e/` (logs included), emptied at the next run.
    """
    run = RUN_DIR
    shutil.rmtree(run, ignore_errors=True)  # the previous run's data and logs
    with contextlib.ExitStack() as stack:

        def start(process: ManagedProcess) -> ManagedProcess:
            return stack.enter_context(process)

        mongo = start(secantusdb(free_port(), run / "mongodb", run / "mongodb.log"))
        redis = start(redis_server(free_port(), run / "redis.log", dir=run / "redis"))
        smtp_port, sink_port = free_port(), free_port()
        sink = start(smtp_sink_process(smtp_port, sink_port, maildir=run / "mail", log_dir=run))
        if mongo.url is None or redis.url is None or sink.url is None:
            raise RuntimeError("a store process has no URL")
        ports = {name: free_port() for name in SUBGRAPHS}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        env = {
            "APP_ENV": "development",
            "MONGODB_URI": mongo.url,
            "REDIS_URL": redis.url,
            "USERS_SIGNING_KEY_FILE": str(run / "keys" / "users.pem"),
            "AUTH_JWKS_URL": f"{urls['users']}/.well-known/jwks.json",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "LOG_LEVEL": "WARNING",
        }
        processes = {
            name: start(subgraph_process(name, port, env=env, log_dir=run))
            for name, port in ports.items()
        }
        worker = start(worker_process("notifications", free_port(), env=env, log_dir=run))
        supergraph = run / "supergraph.graphql"
        supergraph.write_text(
            compose_supergraph({name: f"{url}/graphql" for name, url in urls.items()}),
            encoding="utf-8",
        )
        gateway_env = {
            "GATEWAY_HOST": "127.0.0.1",
            "AUTH_JWKS_URL": env["AUTH_JWKS_URL"],
            # The bench is one client address sending thousands of requests.
            "GATEWAY_RATE_LOGIN_PER_MINUTE": "0",
            "GATEWAY_RATE_MUTATIONS_PER_MINUTE": "0",
            "GATEWAY_RATE_REQUESTS_PER_SECOND": "0",
        }
        gateway_port = free_port()
        gateway = start(
            gateway_process(gateway_port, env=gateway_env, log_dir=run, supergraph=supergraph)
        )
        pids = {
            "gateway": [gateway.pid],
            **{name: [p.pid] for name, p in processes.items()},
            "worker": [worker.pid],
            "mongodb": [mongo.pid],
        }
        yield Target(
            gateway=f"http://127.0.0.1:{gateway_port}",
            users=urls["users"],
            orders=urls["orders"],
            payments=urls["payments"],
            sink=sink.url.removesuffix("/messages"),
            redis_url=redis.url,
            mongo_uri=mongo.url,
            pids={part: [pid for pid in ids if pid is not None] for part, ids in pids.items()},
        )
