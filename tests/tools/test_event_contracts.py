"""Event contracts: the published document is the code's, and a break names who it hurts."""

from __future__ import annotations

import copy
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from subgraphs.kernel.messaging.contracts import Reads
from tools import event_contracts as contracts
from tools.event_contracts import Key, Published


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
    doc = yaml.safe_load(contracts.DOCUMENT.read_text())
    total = doc["components"]["messages"]["orders.created.v1"]["payload"]["schema"]
    total["properties"]["total"] = {"type": "number"}
    baseline = tmp_path / "events.asyncapi.yaml"
    baseline.write_text(yaml.safe_dump(doc))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tools.event_contracts", "check", "--baseline"]
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

    assert contracts.main(["check", "--baseline", str(baseline)]) == 2
