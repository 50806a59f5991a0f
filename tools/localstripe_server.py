"""Run localstripe (a stateful fake of the Stripe API, a dev dependency) for tests and `make up`.

    python -m tools.localstripe_server --port 8420 [--store PATH]

localstripe pickles its whole state to `/tmp/localstripe.pickle` on every
write and reloads it at start. Here it starts from scratch every time and
keeps its state in memory only, or in `--store` when given: never in a file
shared by every instance on the machine.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path


def _keep_store_in(path: Path | None) -> None:
    from localstripe import resources  # type: ignore[import-untyped]  # GPL-3.0: imported only here, in a development tool

    def dump_to_disk(store: resources.Store) -> None:
        if path is not None:
            path.write_bytes(pickle.dumps(dict(store), protocol=pickle.HIGHEST_PROTOCOL))

    def try_load_from_disk(store: resources.Store) -> None:  # --from-scratch is always on
        return None

    resources.Store.dump_to_disk = dump_to_disk
    resources.Store.try_load_from_disk = try_load_from_disk


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", type=Path, default=None, help="pickle the state here")
    args = parser.parse_args(argv)
    _keep_store_in(args.store)
    from localstripe import server

    sys.argv = ["localstripe", "--port", str(args.port), "--from-scratch"]
    server.start()


if __name__ == "__main__":
    main()
