"""The embedded stores as started by tools.procs: SecantusDB and redis-server."""

from __future__ import annotations

from typing import Any

import pymongo
import pytest
import redis

from tools import procs, stores

pytestmark = pytest.mark.integration


def client_for(server: procs.ManagedProcess) -> pymongo.MongoClient[dict[str, Any]]:
    assert server.url is not None
    return pymongo.MongoClient(server.url)


def test_secantusdb_in_memory_starts_answers_and_stops(tmp_path):
    port = procs.free_port()
    server = stores.secantusdb(port, ":memory:", tmp_path / "mongodb.log")
    assert server.url == f"mongodb://127.0.0.1:{port}/?directConnection=true&retryWrites=false"

    with server:
        assert stores.mongo_ping(server.url)
        with client_for(server) as client:
            client.smoke.items.insert_one({"_id": 1, "name": "widget"})
            assert client.smoke.items.find_one({"_id": 1}) == {"_id": 1, "name": "widget"}

    assert not server.alive
    assert server.returncode == 0  # a clean SIGTERM shutdown
    assert not procs.tcp_open("127.0.0.1", port)
    assert procs.port_free(port)


def test_secantusdb_keeps_data_in_a_storage_folder_across_restarts(tmp_path):
    server = stores.secantusdb(procs.free_port(), tmp_path / "data", tmp_path / "mongodb.log")
    with server, client_for(server) as client:
        client.smoke.items.insert_one({"_id": "kept"})
    with server, client_for(server) as client:
        assert client.smoke.items.find_one({"_id": "kept"}) == {"_id": "kept"}


def test_secantusdb_refuses_a_taken_port_before_starting(tmp_path):
    port = procs.free_port()
    with stores.secantusdb(port, ":memory:", tmp_path / "first.log"):
        second = stores.secantusdb(port, ":memory:", tmp_path / "second.log")
        with pytest.raises(procs.StartupError, match=f"mongodb: port {port} is taken"):
            second.start()
        assert second.pid is None


def test_secantusdb_on_a_taken_data_folder_exits_and_says_why(tmp_path):
    data = tmp_path / "data"
    with stores.secantusdb(procs.free_port(), data, tmp_path / "first.log"):
        second = stores.secantusdb(procs.free_port(), data, tmp_path / "second.log")
        second.start()
        with pytest.raises(procs.StartupError, match="mongodb exited with code 1") as caught:
            second.wait_ready()
        assert second.log_tail() in str(caught.value)
        assert second.log_tail()


def test_redis_server_starts_answers_and_stops(tmp_path):
    port = procs.free_port()
    server = stores.redis_server(port, tmp_path / "redis.log", dir=tmp_path / "redis")
    assert server.url == f"redis://127.0.0.1:{port}/0"

    with server:
        assert stores.redis_ping(server.url)
        client = redis.Redis.from_url(server.url)
        try:
            client.set("smoke", "ok")
            assert client.get("smoke") == b"ok"
        finally:
            client.close()

    assert not server.alive
    assert not stores.redis_ping(server.url, timeout=0.2)
    assert procs.port_free(port)
    assert list((tmp_path / "redis").iterdir()) == []  # nothing persisted


def test_redis_server_with_persistence_keeps_data_across_restarts(tmp_path):
    port = procs.free_port()
    server = stores.redis_server(port, tmp_path / "redis.log", dir=tmp_path / "redis", persist=True)
    assert server.url is not None
    with server:
        client = redis.Redis.from_url(server.url)
        client.set("kept", "yes")
        client.close()
    with server:
        client = redis.Redis.from_url(server.url)
        assert client.get("kept") == b"yes"
        client.close()
