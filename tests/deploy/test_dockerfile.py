"""The one Dockerfile of the Python services and its build context (.dockerignore).

Read, not built (no Docker engine here): a slim multi-stage image per context that installs
that context's workspace members from uv.lock without the dev group, copies the kernel and that
context only (what each context's build copies is listed and checked), runs `python -m $MODULE`
as a non-root user and checks the process's own /health; a build context without development
files.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest

from tests.deploy.deployment_files import (
    COMPOSE_FILE,
    DOCKERFILE,
    KERNEL_MEMBER,
    REPO,
    REQUIRED,
    build_args,
    build_chain,
    copied_files,
    final_stage,
    ignored,
    instructions,
    interpolate,
    load_yaml,
    member_context,
    python_builds,
    setting_names,
    settings_class,
    stages,
    subgraphs,
    workspace_members,
)

# The contexts: one image each (the notifications one runs the worker too).
CONTEXTS = sorted(subgraphs())
# The stage every image's virtualenv is installed in; it is built on `context-${CONTEXT}`.
INSTALL_STAGE = "install"


@pytest.fixture(scope="module")
def built() -> dict[str, dict[str, Any]]:
    """The compose services built from the Dockerfile (the Python processes)."""
    return python_builds(interpolate(load_yaml(COMPOSE_FILE), REQUIRED)["services"])


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    return instructions(DOCKERFILE)


def test_dockerfile_is_multi_stage_on_python_slim(dockerfile: list[str]) -> None:
    found = stages(dockerfile)
    assert len(found) >= 2
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    # Every stage starts from the slim image or from a stage before it (a context's stage:
    # `context-${CONTEXT}`).
    names = list(found)
    for index, (base, _) in enumerate(found.values()):
        assert base == "${PYTHON_IMAGE}" or base.startswith(("build", "context-")), base
        if base.startswith("build"):
            assert base in names[:index]
        if base.startswith("context-"):
            assert all(f"context-{c}" in names[:index] for c in CONTEXTS)


def test_dockerfile_installs_runtime_dependencies_only(dockerfile: list[str]) -> None:
    text = "\n".join(dockerfile)
    for forbidden in ("[dev]", "--group", "--all-groups", "--extra", "secantusdb", "aiosmtpd"):
        assert forbidden not in text.lower(), forbidden
    installs = [line for line in dockerfile if re.search(r"\b(pip|uv) (install|sync|pip)\b", line)]
    assert installs[0] == "RUN pip install uv==${UV_VERSION}"
    # Then one install: exactly what uv.lock pins for the context's members, not editable (the
    # code is copied into the virtualenv), the dev group left out.
    [sync] = installs[1:]
    for option in ("uv sync", "--frozen", "--no-dev", "--no-editable", "--package"):
        assert option in sync, option


def test_image_holds_the_kernel_and_its_context_only(dockerfile: list[str]) -> None:
    """What each context's build copies: the workspace root (members list, no code), uv.lock,
    the kernel and the members of that context; not one file of another context."""
    members = workspace_members()
    for context in CONTEXTS:
        own = [m for m in members if m == KERNEL_MEMBER or member_context(m) == context]
        files = copied_files(dockerfile, INSTALL_STAGE, {"CONTEXT": context})
        outside = [
            path
            for path in files
            if path not in ("pyproject.toml", "uv.lock")
            and not any(path.startswith(f"{member}/") for member in own)
        ]
        assert not outside, f"the {context} image copies {outside[:5]}"
        for other in set(CONTEXTS) - {context}:
            assert not [path for path in files if path.startswith(f"subgraphs/{other}/")]
        for member in own:
            assert f"{member}/pyproject.toml" in files, f"{context}: {member}"
            assert any(p.startswith(f"{member}/") and p.endswith(".py") for p in files)
        assert f"subgraphs/{context}/__main__.py" in files
        assert "subgraphs/kernel/runtime/serve.py" in files


def test_each_context_installs_the_members_its_build_copies(dockerfile: list[str]) -> None:
    members = workspace_members()
    found = stages(dockerfile)
    for context in CONTEXTS:
        chain = build_chain(dockerfile, INSTALL_STAGE, {"CONTEXT": context})
        assert chain[-2:] == [f"context-{context}", INSTALL_STAGE], chain
        [declared] = [
            line for line in found[f"context-{context}"][1] if line.startswith("ENV MEMBERS=")
        ]
        copied = copied_files(dockerfile, INSTALL_STAGE, {"CONTEXT": context})
        expected = {
            meta["project"]["name"]
            for member, meta in members.items()
            if member_context(member) == context and f"{member}/pyproject.toml" in copied
        }
        assert set(declared.removeprefix("ENV MEMBERS=").strip('"').split()) == expected


def test_every_member_belongs_to_the_kernel_or_one_context() -> None:
    contexts = {member: member_context(member) for member in workspace_members()}
    assert set(contexts.values()) == {None, *CONTEXTS}
    assert [member for member, context in contexts.items() if context is None] == [KERNEL_MEMBER]


def test_runtime_image_takes_only_the_virtualenv(dockerfile: list[str]) -> None:
    copies = [line for line in final_stage(dockerfile) if line.startswith(("COPY ", "ADD "))]
    assert copies == ["COPY --from=install /opt/venv /opt/venv"]


def test_uv_is_the_version_the_makefile_and_the_lock_pin(dockerfile: list[str]) -> None:
    [arg] = [line for line in dockerfile if line.startswith("ARG UV_VERSION=")]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    [pinned] = re.findall(r"^UV_VERSION := (\S+)$", makefile, re.MULTILINE)
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    [locked] = [package["version"] for package in lock["package"] if package["name"] == "uv"]
    assert arg.removeprefix("ARG UV_VERSION=") == pinned == locked


def test_each_build_names_the_context_of_its_module(built: dict[str, dict[str, Any]]) -> None:
    members = workspace_members()
    for name, service in built.items():
        args = build_args(service)
        assert args["CONTEXT"] in CONTEXTS, name
        package, _, _ = args["MODULE"].rpartition(".")
        member = args["MODULE"] if package == "subgraphs" else package
        assert member_context(member.replace(".", "/")) == args["CONTEXT"], name
        assert member.replace(".", "/") in members, name


def test_image_runs_the_module_as_a_non_root_user(dockerfile: list[str]) -> None:
    final = final_stage(dockerfile)
    [user] = [line.split()[1] for line in final if line.startswith("USER ")]
    assert user.split(":")[0] not in ("root", "0")
    [cmd] = [line for line in final if line.startswith("CMD ")]
    assert cmd == 'CMD exec python -m "$SERVICE_MODULE"'
    assert any(re.search(r"\bSERVICE_MODULE=\$\{MODULE\}", line) for line in final)
    assert "ARG MODULE" in final
    assert "ARG PORT" in final
    # USER comes before the process and its healthcheck, and nothing switches back.
    assert final.index(cmd) > next(i for i, line in enumerate(final) if line.startswith("USER "))


def test_image_healthcheck_asks_the_process_for_health(dockerfile: list[str]) -> None:
    [check] = [line for line in final_stage(dockerfile) if line.startswith("HEALTHCHECK ")]
    assert "urllib.request.urlopen('http://127.0.0.1:' + os.environ['SERVICE_PORT']" in check
    assert "/health'" in check
    assert any(re.search(r"\bSERVICE_PORT=\$\{PORT\}", line) for line in dockerfile)


def test_image_variables_are_no_settings(built: dict[str, dict[str, Any]]) -> None:
    # SERVICE_MODULE and SERVICE_PORT must not configure any process by accident.
    for service in built.values():
        names = setting_names(settings_class(build_args(service)["MODULE"]))
        assert not {"SERVICE_MODULE", "SERVICE_PORT"} & names


# ------------------------------------------------------------------ .dockerignore


def test_build_context_leaves_out_development_files() -> None:
    for path in [
        ".git/HEAD",
        ".venv/bin/python",
        "router/node_modules/.bin/hive-gateway",
        ".data/keys/users-signing-key.pem",
        ".run/logs/users.log",
        "tests/deploy/test_deployment.py",
        "tools/smtp_sink.py",
        "testkit/payments.py",
        "bench/README.md",
        ".mypy_cache/3.11/x.json",
        ".pytest_cache/v/cache",
        "commerce_graph.egg-info/PKG-INFO",
        "subgraphs/users/__pycache__/app.cpython-311.pyc",
        "docker-compose.yml",
        "README.md",
    ]:
        assert ignored(path), path


def test_build_context_holds_what_the_dockerfile_copies(dockerfile: list[str]) -> None:
    for path in [
        "pyproject.toml",
        "uv.lock",
        "subgraphs/kernel/runtime/app.py",
        "subgraphs/orders/pyproject.toml",
        "subgraphs/users/__main__.py",
        "workers/notifications.py",
    ]:
        assert (REPO / path).is_file(), path
        assert not ignored(path), path
