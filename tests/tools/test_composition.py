"""The committed SDLs and supergraph match the code, and composition fails on any hint."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tools import compose
from tools.stack import Stack, free_layout, read_subgraphs, startup

pytestmark = pytest.mark.integration

FED = '@link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key", "@shareable"])'


def _run_compose_mjs(services: list[dict[str, str]]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(compose.COMPOSE_SCRIPT)],
        input=json.dumps(services),
        capture_output=True,
        text=True,
        cwd=compose.COMPOSE_SCRIPT.parent,
        check=False,
        timeout=60,
    )


def _subgraph(name: str, sdl: str) -> dict[str, str]:
    return {"name": name, "url": f"http://{name}/graphql", "sdl": f"extend schema {FED}\n{sdl}"}


def test_committed_sdl_and_supergraph_are_fresh() -> None:
    stale = [str(path.relative_to(compose.ROOT)) for path in compose.stale_files()]
    assert stale == [], "stale generated files; run: python -m tools.compose"


def test_code_composes_without_hints_and_urls_can_be_overridden() -> None:
    urls = {
        name: f"http://127.0.0.1:{9000 + i}/graphql"
        for i, name in enumerate(compose.load_subgraphs())
    }
    supergraph = compose.compose_supergraph(urls)  # raises CompositionError on errors or hints
    for name, url in urls.items():
        assert f'@join__graph(name: "{name}", url: "{url}")' in supergraph


def test_unknown_subgraph_url_override_is_refused() -> None:
    with pytest.raises(ValueError, match="nope"):
        compose.compose_supergraph({"nope": "http://127.0.0.1:1/graphql"})


def test_a_hint_fails_composition() -> None:
    # Composable, but with a hint: Money.amount is String! in one subgraph, String in the other.
    result = _run_compose_mjs(
        [
            _subgraph("a", "type Query { a: Money }\ntype Money @shareable { amount: String! }"),
            _subgraph("b", "type Query { b: Money }\ntype Money @shareable { amount: String }"),
        ]
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "hint [INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE]" in result.stderr


def test_an_error_fails_composition_naming_the_code() -> None:
    services = [
        _subgraph("a", "type Query { a: T }\ntype T @shareable { x: Int }"),
        _subgraph("b", "type Query { b: T }\ntype T @shareable { x: String }"),
    ]
    with pytest.raises(compose.CompositionError) as excinfo:
        compose.compose(services)
    assert any("FIELD_TYPE_MISMATCH" in line for line in excinfo.value.lines)


def test_federation_version_matches_the_pinned_composition_library() -> None:
    config = yaml.safe_load(compose.CONFIG.read_text(encoding="utf-8"))
    package = json.loads(
        (compose.COMPOSE_SCRIPT.parent / "package.json").read_text(encoding="utf-8")
    )
    assert config["federation_version"] == "=" + package["dependencies"]["@apollo/composition"]


def test_a_stack_on_other_ports_serves_the_published_sdls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The published SDLs of this test differ from the code's by one description: the stack's
    # supergraph (tools.stack with STACK_* settings, the tests' gateways) carries it.
    published = tmp_path / "published"
    shutil.copytree(compose.PUBLISHED_DIR, published)
    catalog = published / "catalog.graphql"
    sdl = catalog.read_text(encoding="utf-8")
    description = '"""The products for sale'
    assert description in sdl
    catalog.write_text(sdl.replace(description, '"""Published only: the products for sale', 1))
    monkeypatch.setattr(compose, "PUBLISHED_DIR", published)
    config = free_layout(tmp_path / "data", tmp_path / "run")
    config.run_dir.mkdir(parents=True)
    subgraphs = read_subgraphs(compose.CONFIG, config.base_port)

    path = startup.compose(Stack(log=lambda _: None), config, subgraphs)

    assert path == config.run_dir / "supergraph.graphql"
    supergraph = path.read_text(encoding="utf-8")
    assert "Published only: the products for sale" in supergraph
    assert supergraph == compose.published_supergraph(
        {s.name: f"http://127.0.0.1:{s.port}/graphql" for s in subgraphs}
    )
    assert f'url: "http://127.0.0.1:{config.shifted(4005)}/graphql"' in supergraph  # catalog
    assert "Published only" not in compose.compose_supergraph()  # the code's: not served
