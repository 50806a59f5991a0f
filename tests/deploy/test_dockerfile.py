"""The one Dockerfile of the Python services and its build context (.dockerignore).

Read, not built (no Docker engine here): a slim multi-stage image that installs the runtime
dependencies only, copies the application only, runs `python -m $MODULE` as a non-root user and
checks the process's own /health; a build context without development files.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deploy.deployment_files import (
    COMPOSE_FILE,
    DOCKERFILE,
    REPO,
    REQUIRED,
    build_args,
    final_stage,
    ignored,
    instructions,
    interpolate,
    load_yaml,
    python_builds,
    setting_names,
    settings_class,
)


@pytest.fixture(scope="module")
def built() -> dict[str, dict[str, Any]]:
    """The compose services built from the Dockerfile (the Python processes)."""
    return python_builds(interpolate(load_yaml(COMPOSE_FILE), REQUIRED)["services"])


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    return instructions(DOCKERFILE)


def test_dockerfile_is_multi_stage_on_python_slim(dockerfile: list[str]) -> None:
    stages = [line for line in dockerfile if line.upper().startswith("FROM ")]
    assert len(stages) >= 2
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    assert all(line.split()[1] == "${PYTHON_IMAGE}" for line in stages)


def test_dockerfile_installs_runtime_dependencies_only(dockerfile: list[str]) -> None:
    text = "\n".join(dockerfile)
    for forbidden in ("[dev]", "optional-dependencies", "secantusdb", "aiosmtpd", "pip install -e"):
        assert forbidden not in text.lower(), forbidden
    installs = [re.findall(r"pip install ([^&|;]*)", line) for line in dockerfile]
    arguments = [args.strip() for found in installs for args in found]
    assert arguments == ["--requirement requirements.txt", "--no-deps ."]
    # requirements.txt is written from [project].dependencies and nothing else.
    [writer] = [line for line in dockerfile if "> requirements.txt" in line]
    assert "['project']['dependencies']" in writer


def test_dockerfile_copies_the_application_only(dockerfile: list[str]) -> None:
    copies = [line.split()[1:-1] for line in dockerfile if line.startswith("COPY ")]
    sources = [source for found in copies for source in found if not source.startswith("--")]
    assert sorted(sources) == sorted(
        ["pyproject.toml", "README.md", "subgraphs", "workers", "/opt/venv"]
    )
    for source in sources:
        assert source == "/opt/venv" or (REPO / source).exists(), source


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
    ]:
        assert ignored(path), path


def test_build_context_holds_what_the_dockerfile_copies(dockerfile: list[str]) -> None:
    for path in [
        "pyproject.toml",
        "README.md",
        "subgraphs/kernel/runtime/app.py",
        "subgraphs/users/__main__.py",
        "workers/notifications.py",
    ]:
        assert (REPO / path).is_file(), path
        assert not ignored(path), path
