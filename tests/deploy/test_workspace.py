"""The uv workspace: one lock, a dependency set per context.

Each member (the kernel, each context, the worker) declares its own dependencies; uv.lock pins
them all and is current; what a member's image installs (`uv export --package`, read from the
lock offline) holds every package its code imports, and no context carries another's.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.deploy.deployment_files import (
    KERNEL_MEMBER,
    REPO,
    member_context,
    subgraphs,
    workspace_members,
)

UV = Path(sys.executable).parent / "uv"
# Packages one context needs that no other context's image may carry.
OWN_PACKAGES = {
    "users": {"argon2-cffi"},
    "payments": {"stripe"},
    "notifications": {"arq", "aiosmtplib", "twilio", "aiohttp"},
}


def _normalized(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _uv(*args: str, failure: str = "") -> str:
    done = subprocess.run(
        [str(UV), *args, "--offline"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{failure}{done.stderr}"
    return done.stdout


@cache
def image_set(member: str) -> tuple[frozenset[str], frozenset[str]]:
    """(workspace members, third-party packages) a member's image installs, from uv.lock."""
    name = workspace_members()[member]["project"]["name"]
    exported = _uv(
        "export",
        "--frozen",
        "--no-dev",
        "--no-editable",
        "--no-hashes",
        "--no-annotate",
        "--no-header",
        "--package",
        name,
    )
    lines = [line.split(";")[0].strip() for line in exported.splitlines() if line.strip()]
    local = frozenset(line.removeprefix("./") for line in lines if line.startswith("./"))
    packages = frozenset(
        _normalized(line.split("==")[0]) for line in lines if not line.startswith("./")
    )
    return local, packages


@cache
def _file_owners() -> dict[str, str]:
    """Each installed file (its normalized path): the distribution that installed it."""
    owners = {}
    for dist in importlib.metadata.distributions():
        name = _normalized(dist.metadata["Name"])
        for file in dist.files or []:
            owners[os.path.normpath(os.path.abspath(str(dist.locate_file(file))))] = name
    return owners


def _imported_modules(member: str) -> set[tuple[str, bool]]:
    """The absolute imports of a member's code outside the standard library and the project:
    (module, whether it may be no module: `b` of `from a import b`)."""
    found: set[tuple[str, bool]] = set()
    for path in (REPO / member).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(alias.name, False) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                # `from a import b`: b may be a module (of a namespace package, say).
                found.add((node.module, False))
                found |= {(f"{node.module}.{alias.name}", True) for alias in node.names}
    return {
        (module, maybe)
        for module, maybe in found
        if module.split(".")[0] not in sys.stdlib_module_names
        and module.split(".")[0] not in ("subgraphs", "workers")
    }


def _distribution_of(module: str, maybe: bool) -> str | None:
    """The distribution that installed `module`; None for a name that is no module or a
    namespace package (its modules are looked up one by one)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ModuleNotFoundError, ValueError):  # ValueError: a module without __spec__
        if maybe:
            return None
        raise
    if spec is None and maybe:
        return None
    assert spec is not None, f"{module} is not installed"
    if spec.origin is None or spec.origin == "namespace":
        return None
    path = os.path.normpath(os.path.abspath(spec.origin))
    owner = _file_owners().get(path)
    assert owner is not None, f"no installed distribution holds {path}"
    return owner


def test_the_members_are_the_kernel_every_context_and_the_worker() -> None:
    members = workspace_members()
    expected = {KERNEL_MEMBER} | {f"subgraphs/{name}" for name in subgraphs()}
    assert expected <= set(members)
    # Anything else (the worker) belongs to one context.
    assert all(member_context(member) in subgraphs() for member in set(members) - expected)


def test_the_lock_is_current() -> None:
    # Fails when a pyproject.toml changed a dependency and `uv lock` was not run.
    _uv("lock", "--check", failure="uv.lock is not current: run `uv lock` (docs/deployment.md)\n")


@pytest.mark.parametrize("member", sorted(workspace_members()))
def test_a_member_installs_the_kernel_and_its_own_context_only(member: str) -> None:
    local, _ = image_set(member)
    context = member_context(member)
    assert KERNEL_MEMBER in local
    assert all(found == KERNEL_MEMBER or member_context(found) == context for found in local)


@pytest.mark.parametrize("member", sorted(workspace_members()))
def test_a_member_installs_every_package_its_code_imports(member: str) -> None:
    """What works here (every member installed side by side) works in the member's image."""
    _, packages = image_set(member)
    missing = {
        module: owner
        for module, maybe in sorted(_imported_modules(member))
        if (owner := _distribution_of(module, maybe)) is not None and owner not in packages
    }
    assert not missing, f"{member} imports packages its image lacks: {missing}"


@pytest.mark.parametrize("context", sorted(subgraphs()))
def test_no_context_carries_another_context_s_packages(context: str) -> None:
    members = [m for m in workspace_members() if member_context(m) == context]
    installed = set().union(*(image_set(member)[1] for member in members))
    for owner, own in OWN_PACKAGES.items():
        if owner == context:
            assert own <= installed, f"{context} lacks {own - installed}"
        else:
            assert not own & installed, f"{context} carries {owner}'s {own & installed}"
