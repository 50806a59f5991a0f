"""`python -m tools.config_docs`: write docs/configuration.md from the settings themselves.

Every setting is declared once, where it is read, and this module turns the declarations
into the one table the documentation links to:

- the Python processes: the pydantic-settings classes each `python -m` entry point passes to
  `serve(name, Settings(), ...)` (subgraphs/*/__main__.py, workers/*.py), their groups (a
  field whose type is a settings class reads that class's own prefix) and `ServeSettings`;
  the description is the field's `Field(description=...)`, which is required;
- Hive Gateway: router/edge/settings.ts (the reads `text|list|count|flag(env, NAME, default)`
  and the header comment that describes each name) and gateway.config.ts's own reads;
- Apollo Router: the `${env.NAME:-default}` expansions of router/router.yaml;
- the stack runner: `StackConfig.from_env` of `tools.stack`.

`--check` exits 1 when docs/configuration.md differs from what would be written (a test
runs it); without it the file is rewritten.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import re
import sys
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from annotated_types import Ge, Gt
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "configuration.md"
# Read by every Python process besides its own settings object (kernel/runtime/serve.py).
PROCESS_WIDE = ("subgraphs.kernel.runtime.serve", "ServeSettings")
# gateway.config.ts reads these itself, outside edge/settings.ts.
GATEWAY_CONFIG_VARIABLES: dict[str, Row] = {
    "GATEWAY_PORT": ("", "integer", "4000", "The port Hive Gateway listens on."),
    "GATEWAY_HOST": ("", "string", "0.0.0.0", "The address it listens on."),  # noqa: S104
    "SUPERGRAPH_PATH": ("", "path", "router/supergraph.graphql", "The supergraph it serves."),
}
STACK_DESCRIPTIONS = {
    "STACK_BASE_PORT": "The gateway; subgraphs keep their offset from supergraph.yaml "
    "(4001-4004), the notifications worker is +14.",
    "STACK_MONGO_PORT": "SecantusDB, unless `MONGODB_URI` points at a running server.",
    "STACK_SMTP_PORT": "The SMTP sink, unless `SMTP_HOST` names a mail server.",
    "STACK_SMTP_HTTP_PORT": "The SMTP sink's HTTP API (`GET /messages`).",
    "STACK_STOREFRONT_PORT": "The storefront (the gateway's `CORS_ORIGINS` must allow it).",
    "STACK_DATA_DIR": "Databases, mail, keys, the lock (relative to the repository).",
    "STACK_RUN_DIR": "Logs and metrics files (relative to the repository).",
    "REPLICAS": "Processes per subgraph and per worker, sharing their port.",
}

Row = tuple[str, str, str, str]  # variable, type, default, description


class ConfigDocsError(Exception):
    """A setting cannot be documented (no description, a source not understood)."""


# ------------------------------------------------------------------ Python settings


@dataclass(frozen=True)
class Process:
    name: str
    module: str
    settings: type[BaseSettings]


def processes() -> list[Process]:
    """Every `serve("name", Settings(), ...)` of subgraphs/*/__main__.py and workers/*.py."""
    found: list[Process] = []
    paths = sorted(ROOT.glob("subgraphs/*/__main__.py")) + sorted(ROOT.glob("workers/*.py"))
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.asname or alias.name: node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names
        }
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "serve"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[1], ast.Call)
                and isinstance(node.args[1].func, ast.Name)
            ):
                continue
            class_name = node.args[1].func.id
            cls = getattr(importlib.import_module(imported[class_name]), class_name)
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append(Process(str(node.args[0].value), module.removesuffix(".__main__"), cls))
    return sorted(found, key=lambda proc: proc.settings.model_fields["port"].default)


def is_group(field: FieldInfo) -> bool:
    annotation = field.annotation
    return isinstance(annotation, type) and issubclass(annotation, BaseSettings)


def type_name(field: FieldInfo) -> str:
    annotation = field.annotation
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        text = " | ".join(f"`{value}`" for value in args)
    elif isinstance(annotation, types.UnionType) and type(None) in args:
        inner = [arg for arg in args if arg is not type(None)]
        text = " | ".join(_plain_type(arg) for arg in inner) + ", optional"
    else:
        text = _plain_type(annotation)
    for bound in field.metadata:
        if isinstance(bound, Ge):
            text += f" ≥ {bound.ge}"
        elif isinstance(bound, Gt):
            text += f" > {bound.gt}"
    return text


def _plain_type(annotation: Any) -> str:
    if annotation is SecretStr:
        return "secret"
    if annotation is Path:
        return "path"
    if typing.get_origin(annotation) is list:
        return "JSON list"
    return getattr(annotation, "__name__", str(annotation))


def default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def variable(cls: type[BaseSettings], name: str, field: FieldInfo) -> str:
    if isinstance(field.validation_alias, str):
        return field.validation_alias.upper()
    if field.validation_alias is not None:
        raise ConfigDocsError(f"{cls.__name__}.{name}: only a plain alias is understood")
    return f"{cls.model_config.get('env_prefix', '')}{name}".upper()


def setting_row(cls: type[BaseSettings], name: str, field: FieldInfo) -> Row:
    if not field.description:
        raise ConfigDocsError(f"{cls.__module__}.{cls.__name__}.{name}: no Field(description=...)")
    return (
        f"`{variable(cls, name, field)}`",
        type_name(field),
        default_text(field),
        field.description,
    )


def groups_of(cls: type[BaseSettings]) -> Iterator[type[BaseSettings]]:
    """The settings groups `cls()` builds, depth first (each reads its own prefix)."""
    for field in cls.model_fields.values():
        if is_group(field):
            group = field.annotation
            assert isinstance(group, type)
            assert issubclass(group, BaseSettings)
            yield group
            yield from groups_of(group)


def python_sections() -> list[str]:
    procs = processes()
    serve_module, serve_class = PROCESS_WIDE
    process_wide: type[BaseSettings] = getattr(importlib.import_module(serve_module), serve_class)
    shared: dict[str, Row] = {}
    readers: dict[type[BaseSettings], list[str]] = {}
    lines = ["## Python processes", ""]
    for proc in procs:
        own: list[Row] = []
        for name, field in proc.settings.model_fields.items():
            if is_group(field):
                continue
            row = setting_row(proc.settings, name, field)
            if isinstance(field.validation_alias, str):
                shared[row[0]] = row
            else:
                own.append(row)
        groups = list(dict.fromkeys([*groups_of(proc.settings), process_wide]))
        for group in groups:
            readers.setdefault(group, []).append(proc.name)
        prefixes = ", ".join(f"[`{prefix(g)}*`](#{anchor(prefix(g))})" for g in groups)
        lines += [
            f"### {proc.name}",
            "",
            f"`python -m {proc.module}` reads `{proc.settings.__name__}`: these, "
            f"[every process's](#every-process) and the groups {prefixes}.",
            "",
            *table(own),
            "",
        ]
    lines[2:2] = ["### Every process", "", *table(list(shared.values())), ""]
    lines += ["## Settings groups", ""]
    lines += [
        "A group reads its own prefix whichever process builds it, so one variable "
        "sets it for every process that reads the group.",
        "",
    ]
    for group, names in readers.items():
        doc = (group.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        rows = [setting_row(group, name, field) for name, field in group.model_fields.items()]
        lines += [
            f"### {prefix(group)}",
            "",
            f"{doc} Read by: {', '.join(names)}.",
            "",
            *table(rows),
            "",
        ]
    return lines


def prefix(cls: type[BaseSettings]) -> str:
    return str(cls.model_config.get("env_prefix", ""))


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading made of one word (letters, digits, `_`)."""
    return heading.lower()


# ------------------------------------------------------------------------ gateways

READ = re.compile(
    r"\b(?P<kind>text|list|count|flag)\(\s*env,\s*'(?P<name>[A-Z0-9_]+)',\s*"
    r"(?P<default>'[^']*'|[\w.]+)(?:,\s*(?P<min>\d+))?\s*,?\s*\)"
)
DESCRIBED = re.compile(r"^// (?P<name>[A-Z][A-Z0-9_]+)\s+(?P<text>\S.*)$")
CONTINUED = re.compile(r"^//\s{2,}(?P<text>\S.*)$")
GATEWAY_ENV = re.compile(r"process\.env\.(?P<name>[A-Z0-9_]+)")


def gateway_rows() -> list[Row]:
    source = (ROOT / "router" / "edge" / "settings.ts").read_text(encoding="utf-8")
    described: dict[str, str] = {}
    current = ""
    for line in source.splitlines():
        if not line.startswith("//"):
            break
        if match := DESCRIBED.match(line):
            current = match["name"]
            described[current] = match["text"]
        elif (match := CONTINUED.match(line)) and current:
            described[current] += " " + match["text"]
        else:
            current = ""
    rows: list[Row] = []
    for match in READ.finditer(source):
        name, default = match["name"], match["default"].strip("'").replace("_", "")
        if name not in described:
            raise ConfigDocsError(f"router/edge/settings.ts: {name} is not described on top")
        text = described.pop(name)
        if text.startswith(default):  # the comment opens with the default: drop it
            text = text[len(default) :].lstrip(" :;")
        text = text[:1].upper() + text[1:]
        kinds = {
            "text": "string",
            "list": "comma-separated list",
            "count": f"integer ≥ {match['min']}",
            "flag": "boolean",
        }
        rows.append((f"`{name}`", kinds[match["kind"]], f"`{default}`", text))
    if described:
        raise ConfigDocsError(f"router/edge/settings.ts describes unread {sorted(described)}")
    config = (ROOT / "router" / "gateway.config.ts").read_text(encoding="utf-8")
    read = {match["name"] for match in GATEWAY_ENV.finditer(config)}
    if read != set(GATEWAY_CONFIG_VARIABLES):
        raise ConfigDocsError(
            f"router/gateway.config.ts reads {sorted(read)}; "
            f"tools/config_docs.py describes {sorted(GATEWAY_CONFIG_VARIABLES)}"
        )
    for name, (_, kind, default, text) in GATEWAY_CONFIG_VARIABLES.items():
        rows.append((f"`{name}`", kind, f"`{default}`", text))
    return rows


YAML_KEY = re.compile(r"^(?P<indent>\s*)(?P<dash>- )?(?P<key>[A-Za-z_][\w-]*):")
YAML_ENV = re.compile(r"\$\{env\.(?P<name>[A-Z0-9_]+):-(?P<default>[^}]*)\}")


def router_rows() -> list[Row]:
    """`${env.NAME:-default}` in router/router.yaml, with the key it sets."""
    stack: list[tuple[int, str]] = []
    rows: list[Row] = []
    for line in (ROOT / "router" / "router.yaml").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if key := YAML_KEY.match(line):
            indent += 2 if key["dash"] else 0
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if key:
            stack.append((indent, key["key"]))
        for match in YAML_ENV.finditer(line):
            path = ".".join(name for _, name in stack)
            rows.append((f"`{match['name']}`", "string", f"`{match['default']}`", f"`{path}`"))
    return rows


# ---------------------------------------------------------------------- stack runner


def stack_rows() -> list[Row]:
    """`StackConfig.from_env`'s variables: names from its source, defaults from an empty env."""
    stack = importlib.import_module("tools.stack")
    config_class = stack.StackConfig
    tree = ast.parse(inspect.getsource(config_class.from_env).strip().replace("\n    ", "\n"))
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and isinstance(node.value, ast.Call):
            first = node.value.args[0] if node.value.args else None
            if node.arg and isinstance(first, ast.Constant) and isinstance(first.value, str):
                names[node.arg] = first.value
    if set(names.values()) != set(STACK_DESCRIPTIONS):
        raise ConfigDocsError(
            f"StackConfig.from_env reads {sorted(names.values())}; "
            f"tools/config_docs.py describes {sorted(STACK_DESCRIPTIONS)}"
        )
    defaults = config_class.from_env({})
    rows: list[Row] = []
    for field in fields(config_class):
        if field.name not in names:
            continue
        value = getattr(defaults, field.name)
        kind = type(value).__name__
        if isinstance(value, Path):
            kind = "path"
            value = value.relative_to(ROOT) if value.is_relative_to(ROOT) else value
        name = names[field.name]
        rows.append((f"`{name}`", kind, f"`{value}`", STACK_DESCRIPTIONS[name]))
    return rows


# ---------------------------------------------------------------------------- page


def table(rows: list[Row]) -> list[str]:
    lines = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    return lines + [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
    ]


def render() -> str:
    lines = [
        "# Configuration",
        "",
        "<!-- Generated by `python -m tools.config_docs` from the settings where they are read;",
        "     edit those, then run it (`make docs`). A test fails when this file is stale. -->",
        "",
        "Every process reads its settings once, at start, from the environment; nothing is",
        "read later. Unset means the default below. No secret has a committed value: the",
        "development signing key is generated on first start into the git-ignored `.data/`.",
        "Tracing is configured by the standard `OTEL_*` variables, listed in",
        "[tracing.md](tracing.md); what docker-compose and Kubernetes pass on is in",
        "[deployment.md](deployment.md).",
        "",
        *python_sections(),
        "## Hive Gateway",
        "",
        "The local gateway (`router/gateway.config.ts`, `router/edge/settings.ts`). The limits",
        "match the subgraphs' `GRAPHQL_MAX_*`, and a rate of 0 turns that limit off.",
        "",
        *table(gateway_rows()),
        "",
        "## Apollo Router",
        "",
        "The production gateway expands these in `router/router.yaml` (the meaning column is",
        "the key each one sets); the `GATEWAY_*` ones mean what they mean for Hive Gateway.",
        "",
        *table(router_rows()),
        "",
        "## Stack runner (`make up`)",
        "",
        "`tools.stack` reads these to move a stack off the fixed ports and folders; it also",
        "takes `MONGODB_URI`, `REDIS_URL` and `SMTP_HOST` to use servers that already run.",
        "",
        *table(stack_rows()),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    try:
        page = render()
    except ConfigDocsError as exc:
        print(f"config_docs: {exc}", file=sys.stderr)
        return 2
    shown = TARGET.relative_to(ROOT) if TARGET.is_relative_to(ROOT) else TARGET
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != page:
            print(f"{shown} is stale: run `python -m tools.config_docs`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(page, encoding="utf-8")
    print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
