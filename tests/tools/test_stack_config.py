"""tools.stack settings: the defaults are make up's fixed layout; STACK_* moves all of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.ports import ephemeral_range
from tools.procs import StartupError
from tools.stack import ROOT, StackConfig, describe_holder, free_layout, read_subgraphs


def test_the_defaults_are_the_fixed_ports_and_folders():
    config = StackConfig.from_env({})
    assert (config.base_port, config.mongo_port, config.smtp_port, config.smtp_http_port) == (
        4000,
        27017,
        1025,
        8025,
    )
    assert config.data_dir == ROOT / ".data"
    assert config.logs == ROOT / ".run" / "logs"
    assert config.replicas == 1
    assert config.default_layout


def test_settings_move_every_port_and_folder(tmp_path: Path):
    config = StackConfig.from_env(
        {
            "STACK_BASE_PORT": "31000",
            "STACK_MONGO_PORT": "31100",
            "STACK_SMTP_PORT": "31101",
            "STACK_SMTP_HTTP_PORT": "31102",
            "STACK_DATA_DIR": str(tmp_path / "data"),
            "STACK_RUN_DIR": str(tmp_path / "run"),
            "REPLICAS": "3",
        }
    )
    assert config.gateway_port == 31000
    assert config.shifted(4014) == 31014
    assert (config.mongo_port, config.smtp_port, config.smtp_http_port) == (31100, 31101, 31102)
    assert config.data_dir == tmp_path / "data"
    assert config.logs == tmp_path / "run" / "logs"
    assert config.replicas == 3
    assert not config.default_layout
    ports = {s.name: s.port for s in read_subgraphs(ROOT / "supergraph.yaml", 31000)}
    assert ports == {
        "users": 31001,
        "catalog": 31005,
        "orders": 31002,
        "payments": 31003,
        "notifications": 31004,
    }


@pytest.mark.parametrize(("name", "value"), [("REPLICAS", "two"), ("REPLICAS", "0")])
def test_a_bad_setting_is_named(name: str, value: str):
    with pytest.raises(StartupError, match=f"{name}='{value}'"):
        StackConfig.from_env({name: value})


def test_the_lock_holder_is_described_with_its_urls():
    text = describe_holder(
        '{"pid": 42, "state": "running", "urls": {"gateway": "http://localhost:4000/graphql"}}',
        Path(".data/stack.lock"),
    )
    assert text.startswith("the stack is already running (pid 42, lock .data/stack.lock)")
    assert "  gateway  http://localhost:4000/graphql" in text
    assert text.endswith("kill 42")


def test_a_free_layout_reads_back_from_its_settings(tmp_path: Path):
    config = free_layout(tmp_path / "data", tmp_path / "run", replicas=2)
    assert StackConfig.from_env(config.environ()) == config
    assert config.mongodb_uri == config.smtp_host == ""  # its own SecantusDB and SMTP sink
    assert config.redis_url != "redis://127.0.0.1:6379/0"
    low, _ = ephemeral_range()
    ports = [config.base_port + 14, config.mongo_port, config.smtp_port, config.smtp_http_port]
    assert all(port < low for port in ports)
    origins = config.cors_origins.split(",")
    for port in (config.storefront_port, config.backoffice_port):
        assert {f"http://localhost:{port}", f"http://127.0.0.1:{port}"} <= set(origins)


def test_the_stores_are_settings_too():
    config = StackConfig.from_env(
        {
            "MONGODB_URI": "mongodb://db.example:27017",
            "REDIS_URL": "redis://cache.example:6379/2",
            "SMTP_HOST": "mail.example",
        }
    )
    assert config.mongodb_uri == "mongodb://db.example:27017"
    assert config.redis_url == "redis://cache.example:6379/2"
    assert config.smtp_host == "mail.example"
    assert StackConfig.from_env({}).redis_url == "redis://127.0.0.1:6379/0"
