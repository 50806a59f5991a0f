"""docs/configuration.md is generated from the settings and stays in step with them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tests.deploy.deployment_files import setting_names
from tools import config_docs, config_sources

ROOT = Path(__file__).resolve().parents[2]


def documented() -> set[str]:
    """The variables the committed page lists (first cell of every table row; "`A` or `B`"
    lists two)."""
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    cells = re.findall(r"^\| (`[A-Z][A-Z0-9_]*`(?: or `[A-Z][A-Z0-9_]*`)*) \|", page, flags=re.M)
    return {name for cell in cells for name in re.findall(r"`([A-Z0-9_]+)`", cell)}


def test_the_committed_page_is_what_the_generator_writes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.config_docs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_check_names_a_stale_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text(config_docs.render().replace("`4001`", "`4999`"), encoding="utf-8")
    monkeypatch.setattr(config_docs, "TARGET", stale)

    assert config_docs.main(["--check"]) == 1
    assert "configuration.md is stale" in capsys.readouterr().err


def test_every_variable_a_python_process_reads_is_listed() -> None:
    listed = documented()
    for process in config_docs.processes():
        missing = setting_names(process.settings) - listed
        assert not missing, f"{process.name}: {sorted(missing)}"


def test_every_process_entry_point_is_found() -> None:
    names = {process.name for process in config_docs.processes()}
    assert names == {
        "users",
        "catalog",
        "orders",
        "payments",
        "notifications",
        "notifications-worker",
    }


def test_every_variable_the_gateways_and_the_stack_read_is_listed() -> None:
    edge = (ROOT / "router" / "edge" / "settings.ts").read_text(encoding="utf-8")
    router = "\n".join(
        line
        for line in (ROOT / "router" / "router.yaml").read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    )
    read = set(re.findall(r"env, '([A-Z0-9_]+)'", edge))
    read |= set(re.findall(r"\$\{env\.([A-Z0-9_]+):-", router))
    read |= {"GATEWAY_PORT", "STACK_BASE_PORT", "STACK_DATA_DIR", "REPLICAS"}
    assert read - documented() == set()


def test_a_setting_without_a_description_is_refused() -> None:
    class Undescribed(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="UNDESCRIBED_")

        described: int = Field(default=1, description="Has one.")
        bare: int = 2

    assert config_docs.setting_row(Undescribed, "described", Undescribed.model_fields["described"])
    with pytest.raises(config_docs.ConfigDocsError, match=r"Undescribed\.bare"):
        config_docs.setting_row(Undescribed, "bare", Undescribed.model_fields["bare"])


def test_a_group_is_documented_once_with_every_process_that_reads_it() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert page.count("| `AUTH_TOKEN_CACHE_SIZE` | int ≥ 0 |") == 1
    mongo = page.split("### MONGODB_\n", 1)[1].strip().split("\n\n")[0]
    assert mongo.endswith("Read by: users, orders, payments, catalog.")


def test_a_gateway_setting_read_but_not_described_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "router" / "edge").mkdir(parents=True)
    for name in ("edge/settings.ts", "gateway.config.ts"):
        (tmp_path / "router" / name).write_bytes((ROOT / "router" / name).read_bytes())
    monkeypatch.setattr(config_sources, "ROOT", tmp_path)
    assert any(row[0] == "`GATEWAY_MAX_DEPTH`" for row in config_sources.gateway_rows())

    settings = tmp_path / "router" / "edge" / "settings.ts"
    source = settings.read_text(encoding="utf-8")
    settings.write_text(
        source.replace("count(env, 'GATEWAY_MAX_DEPTH', 12, 1)", "count(env, 'GATEWAY_NEW', 1, 1)"),
        encoding="utf-8",
    )
    with pytest.raises(config_sources.ConfigDocsError, match="GATEWAY_NEW"):
        config_sources.gateway_rows()
