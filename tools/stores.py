"""The embedded stores for `make up` and the tests: SecantusDB and redis-server processes."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pymongo
import pymongo.errors
import redis

from tools.procs import ManagedProcess

SECANTUSD_CONFIG = Path(__file__).with_name("secantusd.toml")


def redis_ping(url: str, timeout: float = 1.0) -> bool:
    """True when the Redis server at ``url`` answers PING."""
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def mongo_ping(uri: str, timeout: float = 1.0) -> bool:
    """True when the MongoDB server at ``uri`` answers ``ping``."""
    ms = int(timeout * 1000)
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        uri, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms, socketTimeoutMS=ms
    )
    try:
        client.admin.command("ping")
    except pymongo.errors.PyMongoError:
        return False
    else:
        return True
    finally:
        client.close()


def mongo_uri(port: int, host: str = "127.0.0.1") -> str:
    """The URI of a local SecantusDB (or mongod) on ``port``."""
    return f"mongodb://{host}:{port}/?directConnection=true&retryWrites=false"


def redis_url(port: int, db: int = 0, host: str = "127.0.0.1") -> str:
    """The URL of a local Redis on ``port``."""
    return f"redis://{host}:{port}/{db}"


def secantusdb(
    port: int,
    storage_path: str | Path,
    log_path: Path,
    *,
    ready_timeout: float = 30.0,
) -> ManagedProcess:
    """A SecantusDB server on 127.0.0.1:``port`` (not started yet).

    ``storage_path`` is a folder (created if missing) or ``":memory:"``.
    It is given ``tools/secantusd.toml`` so no other config file is read.
    """
    exe = Path(sys.executable).parent / "secantusd-py"
    if not exe.exists():
        raise FileNotFoundError(f"{exe} not found: install the dev group (make python-deps)")
    uri = mongo_uri(port)
    argv: list[str | Path] = [
        exe,
        "--config", SECANTUSD_CONFIG,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--storage-path", os.fspath(storage_path),
        "--log-level", "WARNING",
    ]  # fmt: skip
    return ManagedProcess(
        "mongodb",
        argv,
        log_path=log_path,
        ready=lambda: mongo_ping(uri, timeout=0.5),
        ready_timeout=ready_timeout,
        port=port,
        url=uri,
    )


def redis_server(
    port: int,
    log_path: Path,
    *,
    dir: str | Path,
    persist: bool = False,
    fsync_always: bool = False,
    ready_timeout: float = 15.0,
) -> ManagedProcess:
    """A redis-server on 127.0.0.1:``port`` with its files in ``dir`` (not started yet).

    Without ``persist`` it saves nothing; with it, it keeps an append-only
    file and snapshots in ``dir``, the append-only file fsynced every second
    or, with ``fsync_always``, before every write is acknowledged.
    """
    exe = shutil.which("redis-server")
    if exe is None:
        raise FileNotFoundError("redis-server not found: apt-get install redis-server")
    Path(dir).mkdir(parents=True, exist_ok=True)
    url = redis_url(port)
    if persist:
        fsync = "always" if fsync_always else "everysec"
        persistence = ["--save", "60 1", "--appendonly", "yes", "--appendfsync", fsync]
    else:
        persistence = ["--save", "", "--appendonly", "no"]
    argv = [
        exe,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", os.fspath(dir),
        *persistence,
    ]  # fmt: skip
    return ManagedProcess(
        "redis",
        argv,
        log_path=log_path,
        ready=lambda: redis_ping(url, timeout=0.5),
        ready_timeout=ready_timeout,
        port=port,
        url=url,
    )
