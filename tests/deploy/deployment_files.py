"""Readers for the deployment files, as Docker and Compose read them (no Docker needed).

Used by test_deployment.py (docker-compose.yml) and test_dockerfile.py (Dockerfile,
.dockerignore): Compose's `${VAR}` interpolation, a service's environment and build
arguments, the settings class a `python -m` module builds and the variables it reads, the
Dockerfile's instructions, and which paths .dockerignore leaves out of the build context.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from subgraphs.kernel.process.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
# Variable names that hold secrets: only ever from the environment or a Secret.
SECRET_NAME = re.compile(r"KEY|PASSWORD|SECRET|TOKEN|PEM|CREDENTIAL", re.IGNORECASE)
# The users subgraph's keys: the token signing key and the one the TOTP secrets are sealed with.
USERS_KEYS = ("USERS_SIGNING_KEY_PEM", "USERS_TOTP_ENCRYPTION_KEY")
# Variables the compose file requires (`${VAR:?...}`), with sample values.
REQUIRED = {
    "USERS_SIGNING_KEY_PEM": "-----BEGIN PRIVATE KEY-----\nsample\n-----END PRIVATE KEY-----\n",
    "USERS_TOTP_ENCRYPTION_KEY": "c2FtcGxl",  # base64 of "sample": no key of any use
    "SMTP_HOST": "smtp.example.com",
}


# ------------------------------------------------------------------ Compose interpolation

# Compose's interpolation syntax: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
# ${VAR:?error}, ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}.
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<invalid>))"
)


class MissingVariable(Exception):
    """A `${VAR:?message}` whose variable is not set."""


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """`value` with Compose's `$` expressions resolved against `env`, as `docker compose` does."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def resolve(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            raise ValueError(f"invalid interpolation in {value!r}")
        name = match["braced"] or match["named"]
        op, arg = match["op"], match["arg"] or ""
        current = env.get(name)
        present = current is not None and (current != "" or not (op or "").startswith(":"))
        if op in (":-", "-"):
            return current if present and current is not None else arg
        if op in (":?", "?"):
            if not present or current is None:
                raise MissingVariable(f"{name}: {arg}")
            return current
        if op in (":+", "+"):
            return arg if present else ""
        return current or ""

    return _INTERPOLATION.sub(resolve, value)


# ------------------------------------------------------------------ the compose file


def load_yaml(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))  # resolves anchors and `<<`
    assert isinstance(loaded, dict), path
    return loaded


def subgraphs() -> dict[str, Any]:
    found: dict[str, Any] = load_yaml(REPO / "supergraph.yaml")["subgraphs"]
    return found


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's environment as a mapping; None for a pass-through (`NAME:` without value)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = [item.split("=", 1) for item in env]
        return {pair[0]: pair[1] if len(pair) == 2 else None for pair in pairs}
    return {key: None if value is None else str(value) for key, value in env.items()}


def build_args(service: dict[str, Any]) -> dict[str, str]:
    args = service["build"].get("args") or {}
    if isinstance(args, list):
        return dict(item.split("=", 1) for item in args)
    return {key: str(value) for key, value in args.items()}


def bind_mounts(service: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(source, target, read_only) of each bind mount of a service."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target, *rest = volume.split(":")
            if source.startswith((".", "/", "~")):
                mounts.append((source, target, "ro" in (rest[0].split(",") if rest else [])))
        elif volume.get("type") == "bind":
            mounts.append((volume["source"], volume["target"], bool(volume.get("read_only"))))
    return mounts


# ------------------------------------------------------------------ processes and settings


def main_file(module: str) -> Path:
    """The file `python -m module` runs."""
    spec = importlib.util.find_spec(module)
    assert spec is not None, f"no module {module}"
    if spec.submodule_search_locations is not None:
        spec = importlib.util.find_spec(f"{module}.__main__")
        assert spec is not None, f"{module} is a package without __main__"
    assert spec.origin is not None
    return Path(spec.origin)


def settings_class(module: str) -> type[ServiceSettings]:
    """The settings class `python -m module` builds: `serve(name, XSettings(), build_app)`."""
    tree = ast.parse(main_file(module).read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "serve":
            settings = node.args[1]
            assert isinstance(settings, ast.Call)
            assert isinstance(settings.func, ast.Name)
            name = settings.func.id
            cls = getattr(importlib.import_module(imported[name]), name)
            assert issubclass(cls, ServiceSettings)
            return cls
    raise AssertionError(f"{module}: no serve(name, Settings(), build_app) call")


def setting_names(cls: type[BaseSettings]) -> set[str]:
    """Every environment variable `cls()` reads, upper case.

    A field reads `<env_prefix><FIELD>` or its validation alias (each of its choices); a
    field that is itself a settings group is built by its default factory, which reads the
    group's own prefix (the whole group as one JSON variable is not offered).
    """
    prefix = cls.model_config.get("env_prefix", "")
    names: set[str] = set()
    for field_name, field in cls.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            names |= setting_names(annotation)
        elif isinstance(field.validation_alias, str):
            names.add(field.validation_alias.upper())
        elif isinstance(field.validation_alias, AliasChoices):
            names |= {str(choice).upper() for choice in field.validation_alias.choices}
        else:
            assert field.validation_alias is None, f"{cls.__name__}.{field_name}: alias kind"
            names.add(f"{prefix}{field_name}".upper())
    return names


def unknown_variables(env: Mapping[str, str | None], cls: type[BaseSettings]) -> set[str]:
    return {name for name in env if name.upper() not in setting_names(cls)}


# ------------------------------------------------------------------ Dockerfile


def instructions(path: Path) -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    found: list[str] = []
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not (stripped or current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        found.append(current + stripped)
        current = ""
    assert not current, "a continuation line ends the file"
    return found


def final_stage(lines: list[str]) -> list[str]:
    """The instructions of the last stage (the image that runs)."""
    starts = [i for i, line in enumerate(lines) if line.upper().startswith("FROM ")]
    return lines[starts[-1] :]


def stages(lines: list[str]) -> dict[str, tuple[str, list[str]]]:
    """Each named stage: (what it is built FROM, its instructions)."""
    found: dict[str, tuple[str, list[str]]] = {}
    current: list[str] = []
    for line in lines:
        if line.upper().startswith("FROM "):
            words = line.split()
            current = []
            name = words[3] if len(words) == 4 and words[2].upper() == "AS" else f"#{len(found)}"
            found[name] = (words[1], current)
        elif found:
            current.append(line)
    return found


def build_chain(lines: list[str], stage: str, args: Mapping[str, str]) -> list[str]:
    """The stages `stage` is built on, itself last, with the build arguments in `args`
    resolved in FROM lines (as `FROM context-${CONTEXT}`)."""
    found = stages(lines)
    chain = [stage]
    while (base := _substitute(found[chain[0]][0], args)) in found:
        chain.insert(0, base)
    return chain


def copied_files(lines: list[str], stage: str, args: Mapping[str, str]) -> list[str]:
    """Every file of the build context the build of `stage` copies, as Docker would: each
    COPY/ADD source of its stages (arguments resolved; copies between stages left out), its
    files expanded, those .dockerignore leaves out dropped."""
    found = stages(lines)
    files: set[str] = set()
    for name in build_chain(lines, stage, args):
        for line in found[name][1]:
            if not line.upper().startswith(("COPY ", "ADD ")):
                continue
            words = line.split()[1:]
            if any(word.startswith("--from=") for word in words):
                continue
            for source in [w for w in words if not w.startswith("--")][:-1]:
                path = REPO / _substitute(source, args)
                assert path.exists(), f"{line}: no {path.relative_to(REPO)}"
                candidates = [path] if path.is_file() else sorted(path.rglob("*"))
                files |= {
                    str(file.relative_to(REPO))
                    for file in candidates
                    if file.is_file() and not ignored(str(file.relative_to(REPO)))
                }
    return sorted(files)


def _substitute(text: str, args: Mapping[str, str]) -> str:
    """`${NAME}` and `$NAME` replaced by the build argument's value."""
    return re.sub(
        r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda match: args.get(match[1], match[0]), text
    )


def dockerfile_of(service: dict[str, Any]) -> Path:
    build = service["build"]
    return (
        COMPOSE_FILE.parent / build["context"] / build.get("dockerfile", "Dockerfile")
    ).resolve()


def dockerfile_has_healthcheck(service: dict[str, Any]) -> bool:
    return any(line.split()[0] == "HEALTHCHECK" for line in instructions(dockerfile_of(service)))


def python_builds(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services built from the root Dockerfile: one Python process each."""
    return {
        name: service
        for name, service in services.items()
        if "build" in service and dockerfile_of(service) == DOCKERFILE.resolve()
    }


# The storefront's web server image (storefront/Dockerfile, written by the storefront's
# authors). Until it exists, the deployment files assume it listens on 8080.
STOREFRONT_DOCKERFILE = REPO / "storefront" / "Dockerfile"
STOREFRONT_ASSUMED_PORT = 8080


# The back office's image (backoffice/Dockerfile, built from the repository root: it bundles the
# storefront's shared modules) serves the same way.
BACKOFFICE_DOCKERFILE = REPO / "backoffice" / "Dockerfile"
# The web apps' compose services: their Dockerfile and the host port compose publishes.
WEB_APPS = {
    "storefront": (STOREFRONT_DOCKERFILE, 3000),
    "backoffice": (BACKOFFICE_DOCKERFILE, 3001),
}


def storefront_port() -> int:
    """The port the storefront image serves on: its EXPOSE, or the assumption until it exists."""
    if not STOREFRONT_DOCKERFILE.exists():
        return STOREFRONT_ASSUMED_PORT
    return exposed_port(STOREFRONT_DOCKERFILE)


def exposed_port(dockerfile: Path) -> int:
    """The one port a web app's image serves on (the EXPOSE of its final stage)."""
    exposed = [
        int(port.split("/")[0])
        for line in final_stage(instructions(dockerfile))
        if line.upper().startswith("EXPOSE ")
        for port in line.split()[1:]
    ]
    assert len(exposed) == 1, f"{dockerfile} exposes {exposed}"
    return exposed[0]


# ------------------------------------------------------------------ the uv workspace


def workspace_members() -> dict[str, dict[str, Any]]:
    """Each workspace member's directory (as the root pyproject.toml lists it): its pyproject."""
    root = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return {
        member: tomllib.loads((REPO / member / "pyproject.toml").read_text(encoding="utf-8"))
        for member in root["tool"]["uv"]["workspace"]["members"]
    }


def member_context(member: str) -> str | None:
    """The context a member belongs to: subgraphs/<context>, or the one context member
    another member (a worker) depends on; None for the kernel, which every context shares."""
    if member == KERNEL_MEMBER:
        return None
    if member.startswith("subgraphs/"):
        return member.removeprefix("subgraphs/")
    names = {meta["project"]["name"]: path for path, meta in workspace_members().items()}
    owners = {
        owner
        for requirement in workspace_members()[member]["project"]["dependencies"]
        if (path := names.get(requirement)) and (owner := member_context(path))
    }
    assert len(owners) == 1, f"{member} belongs to {sorted(owners) or 'no context'}"
    return owners.pop()


KERNEL_MEMBER = "subgraphs/kernel"


# ------------------------------------------------------------------ .dockerignore


def ignore_patterns() -> list[tuple[re.Pattern[str], bool]]:
    """(.dockerignore pattern as a regex, negated), in file order."""
    patterns = []
    for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                regex, i = regex + pattern[i : end + 1], end + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        patterns.append((re.compile(regex), negated))
    return patterns


def ignored(path: str) -> bool:
    """Whether Docker leaves `path` out of the build context (the last matching pattern wins;
    a pattern matches a path or any of its parent directories)."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for regex, negated in ignore_patterns():
        if any(regex.fullmatch(candidate) for candidate in candidates):
            result = not negated
    return result


# ------------------------------------------------------------------ OpenTelemetry

# The standard OpenTelemetry SDK variables a deployment may set on any process: the SDK reads
# them itself (they are not settings of ours), so they are allowed next to each process's own.
OTEL_VARIABLES = {
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_TRACES_EXPORTER",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
    "OTEL_PROPAGATORS",
}


# ------------------------------------------------------------------ Kubernetes

KUBERNETES_DIR = REPO / "deploy" / "kubernetes"


def load_documents(path: Path) -> list[dict[str, Any]]:
    """The objects of a multi-document YAML file (empty documents dropped)."""
    documents = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    assert all(isinstance(doc, dict) for doc in documents), path
    return documents
