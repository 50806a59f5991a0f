"""`python -m tools.config_docs`: write docs/configuration.md from the settings themselves.

Every setting is declared once, where it is read, and this module turns the declarations
into the one table the documentation links to:

- the Python processes: the pydantic-settings classes each `python -m` entry point passes to
  `serve(name, Settings(), ...)` (subgraphs/*/__main__.py, workers/*.py), their groups (a
  field whose type is a settings class reads that class's own prefix) and `ServeSettings`;
  the description is the field's `Field(description=...)`, which is required;
- the gateways and the stack runner, read from their sources by `tools.config_sources`.

`--check` exits 1 when docs/configuration.md differs from what would be written (a test
runs it); without it the file is rewritten.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import sys
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotated_types import Ge, Gt
from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from tools.config_sources import ConfigDocsError, Row, gateway_rows, router_rows, stack_rows

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "configuration.md"
# Read by every Python process besides its own settings object (kernel/runtime/serve.py).
PROCESS_WIDE = ("subgraphs.kernel.runtime.serve", "ServeSettings")


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
    """The variable that sets the field; alias choices of plain names read "A` or `B"."""
    alias = field.validation_alias
    if isinstance(alias, str):
        return alias.upper()
    if isinstance(alias, AliasChoices) and all(isinstance(c, str) for c in alias.choices):
        return "` or `".join(str(c).upper() for c in alias.choices)
    if alias is not None:
        raise ConfigDocsError(f"{cls.__name__}.{name}: only plain aliases are understood")
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
