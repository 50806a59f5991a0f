"""Event contracts: the published document is the code's, and a break names who it hurts."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from subgraphs.kernel.core.contracts import Reads, project
from subgraphs.kernel.core.events import EventSpec, TypedDict
from tools import event_contracts as contracts
from tools.compose import load_subgraphs
from tools.event_contracts import Key, Published

# The official JSON schema of AsyncAPI 3.0.0 documents (deploy/schemas/README.md).
ASYNCAPI_SCHEMA = contracts.ROOT / "deploy" / "schemas" / "asyncapi-3.0.0.schema.json"


@pytest.fixture(scope="module")
def current() -> dict[Key, Published]:
    return contracts.produced()


@pytest.fixture(scope="module")
def groups() -> list[contracts.Consumer]:
    return contracts.consumers()


def edited(
    events: dict[Key, Published], key: Key, edit: Any, *, version: int | None = None
) -> dict[Key, Published]:
    """`events` with `key`'s schema changed by `edit` (and published as `version`, if given)."""
    changed = dict(events)
    event = changed.pop(key)
    schema = copy.deepcopy(dict(event.schema))
    edit(schema)
    event = replace(event, schema=schema, version=version or event.version)
    changed[event.key] = event
    return changed


def messages(breaks: list[contracts.Break]) -> list[str]:
    return [b.message for b in breaks]


def retype_order_version(schema: dict[str, Any]) -> None:
    schema["properties"]["order_version"]["type"] = "string"


def doctored(tmp_path: Path, edit: Any) -> Path:
    """A copy of the published document, changed by `edit`."""
    doc = yaml.safe_load(contracts.DOCUMENT.read_text())
    edit(doc)
    path = tmp_path / "events.asyncapi.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def payload_of(doc: dict[str, Any], message: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["components"]["messages"][message]["payload"]["schema"]
    return schema


def test_the_published_document_is_the_codes(current, groups):
    written = contracts.render(contracts.document(current, groups))
    assert contracts.DOCUMENT.read_text() == written, (
        "docs/events.asyncapi.yaml is stale: run `python -m tools.event_contracts write`"
    )


def test_the_document_is_asyncapi_3_with_a_channel_a_producer_and_a_message_an_event(current):
    doc = yaml.safe_load(contracts.DOCUMENT.read_text())

    assert doc["asyncapi"] == "3.0.0"
    assert set(doc["channels"]) == {
        "events.users",
        "events.catalog",
        "events.orders",
        "events.payments",
    }
    created = doc["components"]["messages"]["orders.created.v1"]
    assert created["payload"]["schema"]["properties"]["items"]["items"]["required"] == [
        "sku",
        "name",
        "quantity",
        "unit_price",
    ]
    assert set(doc["components"]["schemas"]["envelope"]["properties"]) >= {
        "id",
        "type",
        "version",
        "occurred_at",
        "producer",
        "correlation_id",
        "payload",
    }
    assert contracts.published() == current


def test_the_document_is_valid_asyncapi_3_0_0_with_draft_07_payload_schemas():
    """Validated offline: the official schema bundles its definitions, and jsonschema has the
    draft-07 meta-schema its payloads are checked against (it fetches nothing)."""
    validator = jsonschema.Draft7Validator(json.loads(ASYNCAPI_SCHEMA.read_text()))
    doc = yaml.safe_load(contracts.DOCUMENT.read_text())

    assert [e.message for e in validator.iter_errors(doc)] == []
    for name, message in doc["components"]["messages"].items():
        payload = message["payload"]
        assert payload["schemaFormat"] == "application/schema+json;version=draft-07", name
        assert payload["schema"]["$schema"] == "http://json-schema.org/draft-07/schema#", name
        jsonschema.Draft7Validator.check_schema(payload["schema"])
    # The format is one AsyncAPI tools know, so a payload schema is itself checked.
    payload_of(doc, "orders.created.v1")["properties"]["total"]["type"] = 5
    assert not validator.is_valid(doc)


class Line(TypedDict):
    sku: str


class Tupled(TypedDict):
    pair: tuple[int, str]
    lines: list[Line]


def test_a_payload_schema_is_draft_07_with_its_definitions_inlined():
    schema = contracts.payload_schema(EventSpec("things.tupled", Tupled))

    pair, lines = schema["properties"]["pair"], schema["properties"]["lines"]
    assert pair["items"] == [{"type": "integer"}, {"type": "string"}]
    assert "prefixItems" not in pair
    assert lines["items"]["properties"] == {"sku": {"title": "Sku", "type": "string"}}
    assert "$defs" not in json.dumps(schema)
    jsonschema.Draft7Validator.check_schema(schema)
    assert jsonschema.Draft7Validator(schema).is_valid({"pair": [1, "a"], "lines": []})


def test_the_contexts_are_the_subgraphs():
    assert contracts.contexts() == tuple(load_subgraphs())
    assert {e.producer for e in contracts.produced().values()} < set(contracts.contexts())


def test_the_code_keeps_every_contract(current, groups):
    assert messages(contracts.check(current, contracts.published(), groups)) == []
    consuming = {g.context for g in groups}
    assert consuming == {"users", "catalog", "orders", "payments", "notifications"}


def test_a_removed_field_a_consumer_reads_names_the_consumer(current, groups):
    def drop_item_name(schema: dict[str, Any]) -> None:
        item = schema["properties"]["items"]["items"]
        del item["properties"]["name"]
        item["required"].remove("name")

    broken = edited(current, ("orders.created", 1), drop_item_name)

    found = messages(contracts.check(broken, contracts.published(), groups))

    assert (
        "consumer notifications (group notifications) reads orders.created v1 field "
        "items[].name: removed by orders"
    ) in found
    assert any("orders.created v1 changed without raising its version" in m for m in found)


def test_a_retyped_field_names_every_consumer_that_reads_it(current, groups):
    def version_as_text(schema: dict[str, Any]) -> None:
        schema["properties"]["order_version"]["type"] = "string"

    broken = edited(current, ("orders.paid", 1), version_as_text)

    breaks = contracts.check(broken, contracts.published(), groups)

    [read] = [b for b in breaks if b.consumer is not None]
    assert read.consumer == "payments"
    assert "reads orders.paid v1 field order_version: retyped from" in read.message
    assert [b.message for b in breaks if b.consumer is None] == [
        "orders.paid v1 changed without raising its version: field order_version retyped from "
        '{"type": "integer"} to {"type": "string"} (publish it as v2)'
    ]


def test_a_change_without_a_raised_version_fails_even_when_nobody_reads_the_field(current, groups):
    def drop_how(schema: dict[str, Any]) -> None:
        del schema["properties"]["how"]
        schema["required"].remove("how")

    broken = edited(current, ("users.password_changed", 1), drop_how)

    assert messages(contracts.check(broken, contracts.published(), groups)) == [
        "users.password_changed v1 changed without raising its version: field how removed "
        "(publish it as v2)"
    ]


def test_a_raised_version_is_allowed_but_its_consumers_still_reading_the_old_one_are_named(
    current, groups
):
    def drop_reason(schema: dict[str, Any]) -> None:
        del schema["properties"]["reason"]
        schema["required"].remove("reason")

    raised = edited(current, ("orders.cancelled", 1), drop_reason, version=2)

    breaks = contracts.check(raised, contracts.published(), groups)

    assert all(b.consumer is not None for b in breaks)  # no version complaint
    assert {b.consumer for b in breaks} == {"catalog", "payments", "users", "notifications"}
    assert (
        "consumer catalog (group catalog) reads orders.cancelled v1: orders now publishes v2"
        in messages(breaks)
    )


def test_adding_a_field_is_free(current, groups):
    def add_note(schema: dict[str, Any]) -> None:
        schema["properties"]["gift_note"] = {"type": "string"}

    added = edited(current, ("orders.created", 1), add_note)

    assert contracts.check(added, contracts.published(), groups) == []


def test_a_field_no_longer_in_every_payload_breaks_its_readers(current, groups):
    def optional_total(schema: dict[str, Any]) -> None:
        schema["required"].remove("total")

    broken = edited(current, ("orders.created", 1), optional_total)

    readers = {
        b.consumer
        for b in contracts.check(broken, contracts.published(), groups)
        if b.consumer is not None
    }
    assert readers == {"payments", "notifications"}


def test_a_declared_read_of_a_field_nobody_publishes_is_named(current, groups):
    [catalog] = [g for g in groups if g.context == "catalog"]
    typo = Reads("orders.paid", 1, ("order_idd",))
    wrong = replace(catalog, declaration=replace(catalog.declaration, reads=(typo,)))

    assert messages(contracts.check(current, contracts.published(), [wrong])) == [
        "consumer catalog (group catalog) reads orders.paid v1 field order_idd: "
        "not in the payload by orders"
    ]


def test_the_command_exits_1_naming_the_consumer_against_a_baseline_the_code_broke(tmp_path):
    """The published `total` of orders.created was a number; the code now sends a string."""

    def total_a_number(doc: dict[str, Any]) -> None:
        payload_of(doc, "orders.created.v1")["properties"]["total"] = {"type": "number"}

    baseline = doctored(tmp_path, total_a_number)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tools.event_contracts", "check", "--document"]
        return subprocess.run(
            [*command, str(baseline), *args],
            capture_output=True,
            text=True,
            cwd=Path(contracts.ROOT),
            check=False,
        )

    broken = run("--context", "notifications")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert (
        "consumer notifications (group notifications) reads orders.created v1 field total: "
        "retyped from"
    ) in broken.stderr
    assert "consumer payments" not in broken.stderr  # --context: only notifications' part

    untouched = run("--context", "users")
    assert (untouched.returncode, untouched.stderr) == (0, "")


def test_an_unreadable_baseline_exits_2(tmp_path):
    baseline = tmp_path / "events.asyncapi.yaml"
    baseline.write_text("components: {messages: {x: {name: y}}}\n")

    assert contracts.main(["check", "--document", str(baseline)]) == 2
    assert contracts.main(["write", "--document", str(baseline)]) == 2


def test_write_refuses_to_replace_a_published_version_with_an_incompatible_schema(
    tmp_path, current, groups
):
    """The document is append-only per (type, version), so after a write the version check
    still has the published schema to compare with."""
    document = tmp_path / "events.asyncapi.yaml"
    assert contracts.write(document, current, groups) == []
    published = document.read_text()
    retyped = edited(current, ("orders.paid", 1), retype_order_version)

    refused = contracts.write(document, retyped, groups)

    assert messages(refused) == [
        "orders.paid v1 changed without raising its version: field order_version retyped from "
        '{"type": "integer"} to {"type": "string"} (publish it as v2)'
    ]
    assert document.read_text() == published
    assert messages(refused)[0] in messages(
        contracts.check(retyped, contracts.published(document), groups)
    )


def test_write_refuses_a_removed_or_optional_field_and_takes_additions_and_new_versions(
    tmp_path, current, groups
):
    document = tmp_path / "events.asyncapi.yaml"
    contracts.write(document, current, groups)
    key = ("orders.created", 1)

    def drop_currency(schema: dict[str, Any]) -> None:
        del schema["properties"]["currency"]
        schema["required"].remove("currency")

    def optional_total(schema: dict[str, Any]) -> None:
        schema["required"].remove("total")

    def add_note(schema: dict[str, Any]) -> None:
        schema["properties"]["gift_note"] = {"type": "string"}

    [removed] = contracts.write(document, edited(current, key, drop_currency), groups)
    [optional] = contracts.write(document, edited(current, key, optional_total), groups)
    assert "orders.created v1 changed without raising its version: field currency removed" in (
        removed.message
    )
    assert "field total no longer in every payload" in optional.message

    added = edited(current, key, add_note)
    assert contracts.write(document, added, groups) == []
    assert "gift_note" in contracts.published(document)[key].schema["properties"]
    raised = {**added, **edited(added, key, drop_currency, version=2)}
    assert contracts.write(document, raised, groups) == []
    assert {("orders.created", 1), ("orders.created", 2)} <= set(contracts.published(document))


def published_as_text(doc: dict[str, Any]) -> None:
    """The published order_version of orders.paid a string (the code's is an integer)."""
    retype_order_version(payload_of(doc, "orders.paid.v1"))


def test_the_write_command_exits_1_naming_the_event_and_the_field(tmp_path, capsys):
    document = doctored(tmp_path, published_as_text)
    before = document.read_text()

    assert contracts.main(["write", "--document", str(document)]) == 1

    err = capsys.readouterr().err
    assert (
        "event contracts: not written: orders.paid v1 changed without raising its version: "
        "field order_version retyped from"
    ) in err
    assert document.read_text() == before


def test_a_stale_document_fails_the_check_and_for_a_context_only_its_own_part(tmp_path, capsys):
    def renamed_summary(doc: dict[str, Any]) -> None:
        doc["components"]["messages"]["users.registered.v1"]["summary"] = "Someone signed up."

    document = doctored(tmp_path, renamed_summary)

    def check(*args: str) -> int:
        return contracts.main(["check", "--document", str(document), *args])

    assert check("--context", "users") == 1
    assert "out of date in what users publishes or reads: run `python -m tools.event_contracts" in (
        capsys.readouterr().err
    )
    assert check() == 1
    assert (check("--context", "orders"), check("--context", "notifications")) == (0, 0)
    document.unlink()
    assert check("--context", "orders") == 1  # none published at all


def git(repository: Path, *args: str) -> None:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    subprocess.run(["git", "-C", str(repository), *identity, *args], check=True)


def test_base_reads_the_document_committed_at_a_git_ref(tmp_path, current, groups):
    """`check --base REF`: a document rewritten in the working tree hides no change."""
    repository = tmp_path / "repository"
    (repository / "docs").mkdir(parents=True)
    git(repository, "init", "-q")
    git(repository, "commit", "-q", "--allow-empty", "-m", "before events")
    published = doctored(repository / "docs", published_as_text)
    git(repository, "add", "docs/events.asyncapi.yaml")
    git(repository, "commit", "-q", "-m", "events published")
    published.write_text(contracts.render(contracts.document(current, groups)))  # rewritten

    baseline = contracts.published_at("HEAD", repository)

    assert baseline[("orders.paid", 1)].schema["properties"]["order_version"]["type"] == "string"
    assert any(
        "orders.paid v1 changed without raising its version: field order_version" in m
        for m in messages(contracts.check(current, baseline, groups))
    )
    assert contracts.published_at("HEAD~1", repository) == {}  # not published yet then
    with pytest.raises(contracts.UnreadableBaseline, match="no commit 'no-such-ref'"):
        contracts.published_at("no-such-ref", repository)
    assert contracts.main(["check", "--base", "no-such-ref"]) == 2


def test_a_consumer_may_read_two_versions_of_an_event_while_it_moves_over(current, groups):
    """A producer publishes v2 beside v1; a consumer declares both; nothing breaks."""

    def drop_reason(schema: dict[str, Any]) -> None:
        del schema["properties"]["reason"]
        schema["required"].remove("reason")

    both = {**current, **edited(current, ("orders.cancelled", 1), drop_reason, version=2)}
    [catalog] = [g for g in groups if g.context == "catalog"]
    v2 = Reads("orders.cancelled", 2, ("order_id", "user_id"))
    moving = replace(
        catalog,
        declaration=replace(catalog.declaration, reads=(*catalog.declaration.reads, v2)),
    )
    others = [g for g in groups if g.context != "catalog"]

    assert contracts.check(both, contracts.published(), [*others, moving]) == []
    operation = contracts.document(both, [moving])["operations"]["catalog.consume.orders"]
    assert {"orders.cancelled.v1", "orders.cancelled.v2"} <= set(operation["x-reads"])


def example(schema: Any, *, nulls: bool = False) -> Any:
    """A value of every field `schema` declares (lists of one item; null where allowed, if
    `nulls`, else the first other choice)."""
    choices = schema.get("anyOf") or schema.get("oneOf")
    if choices:
        null = [c for c in choices if c.get("type") == "null"]
        others = [c for c in choices if c.get("type") != "null"]
        return None if nulls and null else example(others[0], nulls=nulls)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: example(sub, nulls=nulls) for name, sub in properties.items()}
    if kind == "array":
        return [example(schema.get("items", {}), nulls=nulls)]
    return {"string": "s", "integer": 1, "number": 1.5, "boolean": True, "null": None}.get(
        kind, "s"
    )


def present(value: Any, path: str) -> bool:
    name, _, rest = path.partition(".")
    each = name.endswith("[]")
    value = value.get(name.removesuffix("[]"), KeyError) if isinstance(value, dict) else KeyError
    if value is KeyError:
        return False
    if value is None or not rest:
        return True
    if each:
        return bool(value) and all(present(item, rest) for item in value)
    return present(value, rest)


@pytest.mark.parametrize("nulls", [False, True])
def test_every_consumer_gets_each_field_it_reads_of_a_full_payload_of_its_producers(
    current, groups, nulls
):
    """A payload as its producer's schema declares it projects, for each consumer reading
    it, without being refused, to all the paths the consumer declares."""
    for group in groups:
        for read in group.declaration.reads:
            event = current[(read.type, read.version)]
            payload = example(event.schema, nulls=nulls)

            projected = project(payload, read.fields)

            missing = [f for f in read.fields if not present(projected, f)]
            assert not missing, f"{group.context} loses {missing} of {read.type}"
