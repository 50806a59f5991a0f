"""Settings declared outside pydantic, read from their sources for docs/configuration.md.

Hive Gateway's (router/edge/settings.ts: `text|list|count|flag(env, NAME, default)` and the
header comment that describes each name; gateway.config.ts's own reads), Apollo Router's
(`${env.NAME:-default}` in router/router.yaml) and the stack runner's
(`StackConfig.from_env` of `tools.stack`). Each reader refuses a source it no longer
understands rather than leave a setting out.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap
from dataclasses import fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
Row = tuple[str, str, str, str]  # variable, type, default, description


class ConfigDocsError(Exception):
    """A setting cannot be documented (no description, a source not understood)."""


# gateway.config.ts reads these itself, outside edge/settings.ts.
GATEWAY_CONFIG_VARIABLES: dict[str, Row] = {
    "GATEWAY_PORT": ("", "integer", "4000", "The port Hive Gateway listens on."),
    "GATEWAY_HOST": ("", "string", "0.0.0.0", "The address it listens on."),  # noqa: S104
    "SUPERGRAPH_PATH": ("", "path", "router/supergraph.graphql", "The supergraph it serves."),
    "GATEWAY_LISTEN_FD": (
        "",
        "integer",
        "unset",
        "A listening socket it inherits and accepts on instead of binding `GATEWAY_PORT` "
        "(`make up` with `REPLICAS=2`: every gateway process on one socket, router/edge/drain.ts).",
    ),
}
STACK_DESCRIPTIONS = {
    "STACK_BASE_PORT": "The gateway; subgraphs keep their offset from supergraph.yaml "
    "(4001-4005), the notifications worker is +14.",
    "STACK_MONGO_PORT": "SecantusDB, unless `MONGODB_URI` points at a running server.",
    "STACK_SMTP_PORT": "The SMTP sink, unless `SMTP_HOST` names a mail server.",
    "STACK_SMTP_HTTP_PORT": "The SMTP sink's HTTP API (`GET /messages`).",
    "STACK_LOCALSTRIPE_PORT": "localstripe (a fake Stripe API), started when "
    "`PAYMENTS_PROVIDER_KIND=stripe` and `STRIPE_API_BASE` is unset.",
    "STACK_STOREFRONT_PORT": "The storefront (the gateway's `CORS_ORIGINS` must allow it).",
    "STACK_BACKOFFICE_PORT": "The back office (the gateway's `CORS_ORIGINS` must allow it).",
    "STACK_DATA_DIR": "Databases, mail, keys, the lock (relative to the repository).",
    "STACK_RUN_DIR": "Logs and metrics files (relative to the repository).",
    "REPLICAS": "Processes per subgraph, per worker and of the gateway, sharing their port.",
}


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


def stack_config_class() -> Any:
    """`StackConfig` from `tools.stack`, a module or a package (exported, or in a submodule)."""
    stack = importlib.import_module("tools.stack")
    if hasattr(stack, "StackConfig"):
        return stack.StackConfig
    for info in pkgutil.iter_modules(getattr(stack, "__path__", [])):
        module = importlib.import_module(f"tools.stack.{info.name}")
        if hasattr(module, "StackConfig"):
            return module.StackConfig
    raise ConfigDocsError("tools.stack has no StackConfig")


def stack_rows() -> list[Row]:
    """`StackConfig.from_env`'s variables: names from its source, defaults from an empty env."""
    config_class = stack_config_class()
    tree = ast.parse(textwrap.dedent(inspect.getsource(config_class.from_env)))
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
