"""Export each subgraph's SDL from code; compose the supergraph from the published SDLs.

``python -m tools.compose`` writes ``subgraphs/<name>/schema.graphql`` (the code's SDL) for
every subgraph in ``supergraph.yaml``, and ``router/supergraph.graphql`` (composed by
``node router/compose.mjs``, i.e. ``@apollo/composition``) with
``router/supergraph.unlicensed.graphql``: the same composed without the authorization
directives (``@authenticated``, ``@requiresScopes``), for an Apollo Router without a GraphOS
license (it refuses a supergraph that has them) and for ``@apollo/gateway`` (which has no
support for them); the subgraphs check every scope themselves either way.

Both supergraphs are composed from the *published* SDLs, ``router/published/<name>.graphql``
(what each subgraph's team last published with ``make schema-publish SUBGRAPH=<name>``), never
from the code directly: a subgraph's schema reaches the gateway only when its team publishes
it. ``publish`` (``make schema-publish``) records SDLs as published and writes the
supergraphs; ``python -m tools.compose`` only rewrites them when they are stale, with the same
content. Both write them in place (``write_in_place``), because the gateway's watch of the file
ends when the file is replaced by a rename.

The supergraphs of stacks on other ports are composed from the same published SDLs, only their
routing URLs replaced (``published_supergraph``): ``tools.stack`` with ``STACK_*`` settings (the
benchmarks', the chaos run's) and every gateway the end-to-end tests start. A field the code
has and the published SDL has not is served by no gateway, a test's included: publish it first
(a committed tree is fully published: tests/tools/test_schema_publish.py). Only the schema
check composes the code's SDLs (``compose_supergraph``), which is what it checks.

``--check`` writes nothing and exits 1 naming every stale file. Composition errors and hints
are both failures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from graphql import REMOVE, DirectiveNode, Visitor, parse, print_ast, visit

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "supergraph.yaml"
SUPERGRAPH = ROOT / "router" / "supergraph.graphql"
UNLICENSED_SUPERGRAPH = ROOT / "router" / "supergraph.unlicensed.graphql"
AUTHORIZATION_DIRECTIVES = frozenset({"authenticated", "requiresScopes"})
COMPOSE_SCRIPT = ROOT / "router" / "compose.mjs"
PUBLISHED_DIR = ROOT / "router" / "published"


class CompositionError(RuntimeError):
    """Composition failed; ``lines`` holds one readable error or hint a line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Subgraph:
    """One entry of ``supergraph.yaml``."""

    name: str
    routing_url: str
    schema_file: Path


def load_subgraphs(config: Path = CONFIG) -> dict[str, Subgraph]:
    """Read the subgraph list (rover's format); schema paths resolve against the file."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    subgraphs: dict[str, Subgraph] = {}
    for name, entry in (data.get("subgraphs") or {}).items():
        try:
            url, schema_file = entry["routing_url"], entry["schema"]["file"]
        except (KeyError, TypeError) as exc:
            raise ValueError(
                f"{config}: subgraph {name!r} needs routing_url and schema.file"
            ) from exc
        subgraphs[name] = Subgraph(name, url, (config.parent / schema_file).resolve())
    if not subgraphs:
        raise ValueError(f"{config}: no subgraphs")
    return subgraphs


def export_sdl(name: str) -> str:
    """The SDL of subgraph ``name`` as built by its code (``transport.schema.build_schema``)."""
    module = importlib.import_module(f"subgraphs.{name}.transport.schema")
    sdl: str = module.build_schema().as_str()
    return sdl.rstrip("\n") + "\n"


def compose(services: list[dict[str, str]]) -> str:
    """Compose ``[{"name", "url", "sdl"}]`` into a supergraph SDL with ``router/compose.mjs``."""
    node = shutil.which("node")
    if node is None:
        raise CompositionError(["node is not on PATH (needed for router/compose.mjs)"])
    proc = subprocess.run(
        [node, str(COMPOSE_SCRIPT)],
        input=json.dumps(services),
        capture_output=True,
        text=True,
        cwd=COMPOSE_SCRIPT.parent,
        check=False,
        timeout=120,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise CompositionError(lines or [f"compose.mjs exited {proc.returncode}"])
    return proc.stdout


class _WithoutAuthorization(Visitor):
    def enter_directive(self, node: DirectiveNode, *_: object) -> object:
        return REMOVE if node.name.value in AUTHORIZATION_DIRECTIVES else None

    def enter_string_value(
        self, node: object, _key: object, _parent: object, _path: object, ancestors: list[object]
    ) -> object:
        # `@link(import: ["@key", "@requiresScopes"])`: no import of what is gone.
        in_link = any(isinstance(a, DirectiveNode) and a.name.value == "link" for a in ancestors)
        value = getattr(node, "value", "")
        return REMOVE if in_link and value.lstrip("@") in AUTHORIZATION_DIRECTIVES else None


def without_authorization(sdl: str) -> str:
    """A subgraph SDL without `@authenticated` and `@requiresScopes` (uses and imports)."""
    return print_ast(visit(parse(sdl), _WithoutAuthorization())) + "\n"


def supergraph_of(
    sdls: dict[str, str], urls: dict[str, str] | None = None, *, authorization: bool = True
) -> str:
    """Compose ``sdls`` (subgraph name -> SDL, every subgraph); ``urls`` overrides routing URLs
    by subgraph name; without ``authorization`` the supergraph has no authorization
    directives."""
    subgraphs = load_subgraphs()
    unknown = sorted(set(urls or {}) - set(subgraphs))
    if unknown:
        raise ValueError(f"unknown subgraphs: {', '.join(unknown)}")
    return compose(
        [
            {
                "name": s.name,
                "url": (urls or {}).get(s.name, s.routing_url),
                "sdl": sdls[s.name] if authorization else without_authorization(sdls[s.name]),
            }
            for s in subgraphs.values()
        ]
    )


def compose_supergraph(urls: dict[str, str] | None = None, *, authorization: bool = True) -> str:
    """Compose the code's SDLs (what the schema check checks; no gateway serves it); ``urls``
    and ``authorization`` as for ``supergraph_of``."""
    sdls = {name: export_sdl(name) for name in load_subgraphs()}
    return supergraph_of(sdls, urls, authorization=authorization)


def published_supergraph(urls: dict[str, str] | None = None, *, authorization: bool = True) -> str:
    """Compose the published SDLs, as ``make schema-publish`` does, with routing URLs of one's
    own (a stack on other ports); ``urls`` and ``authorization`` as for ``supergraph_of``."""
    return supergraph_of(published_sdls(), urls, authorization=authorization)


def published_path(name: str) -> Path:
    """Where subgraph ``name``'s published SDL lives."""
    return PUBLISHED_DIR / f"{name}.graphql"


def published_sdls(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Every subgraph's published SDL, ``overrides`` (name -> SDL) taking the place of some."""
    subgraphs = load_subgraphs()
    unknown = sorted(set(overrides or {}) - set(subgraphs))
    if unknown:
        raise ValueError(f"unknown subgraphs: {', '.join(unknown)}")
    sdls: dict[str, str] = {}
    for name in subgraphs:
        if name in (overrides or {}):
            sdls[name] = (overrides or {})[name]
            continue
        path = published_path(name)
        if not path.is_file():
            raise ValueError(
                f"subgraph {name!r} has no published SDL ({_relative(path)}): "
                f"run make schema-publish SUBGRAPH={name}"
            )
        sdls[name] = path.read_text(encoding="utf-8")
    return sdls


def supergraphs_of(sdls: dict[str, str]) -> dict[Path, str]:
    """The supergraph and the unlicensed supergraph composed from ``sdls`` (name -> SDL)."""
    return {
        SUPERGRAPH: supergraph_of(sdls),
        UNLICENSED_SUPERGRAPH: supergraph_of(sdls, authorization=False),
    }


def write_in_place(path: Path, content: str) -> bool:
    """Rewrite ``path`` in place (the same file, never a rename: a watcher of the file keeps
    watching); whether it changed. An unchanged file is not written at all.

    Three writes, each a change event for a watcher: the file is emptied; the new content is
    written from its second byte on (the first byte, a hole, reads as NUL); the first byte is
    written last. So the file is, at any moment, the old one, empty, a file that starts with
    a NUL byte (which no GraphQL parser accepts, whatever follows), or the whole new one:
    never the new content cut short nor followed by the old one's tail. A reader that catches
    it unfinished gets a document that does not parse (and keeps the schema it has); the last
    change event comes once the file is whole."""
    data = content.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        _pwrite_all(fd, data[1:], 1)
        _pwrite_all(fd, data[:1], 0)
    finally:
        os.close(fd)
    return True


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def publish(names: list[str]) -> list[Path]:
    """Record the code's SDL of each subgraph in ``names`` as published and write the
    supergraphs composed from the published SDLs (in place); the files that changed.
    Nothing is written when the composition fails."""
    sdls = {name: export_sdl(name) for name in names}
    supergraphs = supergraphs_of(published_sdls(sdls))  # raises before anything is written
    changed = [
        published_path(n) for n, sdl in sdls.items() if write_in_place(published_path(n), sdl)
    ]
    return changed + [path for path, text in supergraphs.items() if write_in_place(path, text)]


def unpublished() -> list[str]:
    """The subgraphs whose code's SDL differs from their published one."""
    return [
        name
        for name in load_subgraphs()
        if not published_path(name).is_file()
        or published_path(name).read_text(encoding="utf-8") != export_sdl(name)
    ]


def expected_files() -> dict[Path, str]:
    """Every generated file and its content: the code's SDLs, and the supergraphs composed
    from the published ones."""
    subgraphs = load_subgraphs()
    files = {s.schema_file: export_sdl(s.name) for s in subgraphs.values()}
    return files | supergraphs_of(published_sdls())


def _stale(files: dict[Path, str]) -> list[Path]:
    return [p for p, content in files.items() if not p.is_file() or p.read_text("utf-8") != content]


def stale_files() -> list[Path]:
    """Generated files that are missing or differ from what the code produces."""
    return _stale(expected_files())


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m tools.compose [--check]``."""
    parser = argparse.ArgumentParser(prog="python -m tools.compose", description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    try:
        files = expected_files()
    except CompositionError as exc:
        print("composition failed:", *exc.lines, sep="\n  ", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"compose: {exc}", file=sys.stderr)
        return 1
    stale = _stale(files)
    if args.check:
        for path in stale:
            print(f"stale: {_relative(path)}", file=sys.stderr)
        if stale:
            print("run: python -m tools.compose", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        write_in_place(path, files[path])
        print(f"wrote {_relative(path)}")
    for name in unpublished():
        print(f"not published yet: {name} (make schema-publish SUBGRAPH={name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
