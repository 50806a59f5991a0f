"""Event declarations: a payload is made as its event declares it; consumers declare versions."""

# No `from __future__ import annotations`: a TypedDict must see `NotRequired` evaluated.
from datetime import UTC, datetime

import pytest

from subgraphs.kernel.core.contracts import Consumes, Reads, project, unknown_version
from subgraphs.kernel.core.events import Event, EventSpec, NotRequired, PayloadMismatch, TypedDict

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class Shipped(TypedDict):
    parcel_id: str
    carrier: str | None
    note: NotRequired[str]


SHIPPED = EventSpec("parcels.shipped", Shipped, version=3)


def test_an_event_is_made_with_its_declared_type_and_version():
    event = SHIPPED({"parcel_id": "p-1", "carrier": None}, NOW, sequence=2)

    assert (event.type, event.version, event.sequence) == ("parcels.shipped", 3, 2)
    envelope = event.envelope("parcels")
    assert (envelope.version, Event.from_fields(envelope.to_fields()).version) == (3, 3)


def test_a_payload_with_a_key_missing_or_undeclared_is_refused():
    with pytest.raises(PayloadMismatch, match=r"missing \['carrier'\], unknown \[\]"):
        SHIPPED({"parcel_id": "p-1"}, NOW)  # type: ignore[typeddict-item]
    with pytest.raises(PayloadMismatch, match=r"missing \[\], unknown \['weight'\]"):
        SHIPPED({"parcel_id": "p-1", "carrier": "x", "weight": 2}, NOW)  # type: ignore[typeddict-unknown-key]
    assert SHIPPED({"parcel_id": "p-1", "carrier": "x", "note": "fragile"}, NOW).payload["note"]


def test_a_version_nobody_declared_is_named_and_undeclared_types_pass():
    reads = Consumes("g", ("parcels",), (Reads("parcels.shipped", 1), Reads("parcels.shipped", 2)))
    shipped = SHIPPED({"parcel_id": "p-1", "carrier": None}, NOW).envelope("parcels")
    other = Event.create("parcels.lost", {}, producer="parcels", occurred_at=NOW, version=9)

    assert reads.versions() == {"parcels.shipped": frozenset({1, 2})}
    assert unknown_version(shipped, reads.versions()) == (
        "unknown version 3 of parcels.shipped (this consumer reads 1, 2)"
    )
    assert unknown_version(other, reads.versions()) is None
    assert reads.undeclared(["parcels.shipped", "parcels.lost"]) == ["parcels.lost"]


ORDER = {
    "order_id": "o-1",
    "user_id": "u-1",
    "prices": {"EUR": "9.90", "USD": "10.90"},
    "refund": {"reason": "damaged", "actor_id": "s-1"},
    "items": [{"sku": "A", "quantity": 1, "name": "Mug"}, {"sku": "B", "quantity": 2}],
    "note": None,
}


def test_a_projection_keeps_the_declared_paths_and_nothing_else():
    fields = ("order_id", "prices", "refund.reason", "items[].sku", "note")

    assert project(ORDER, fields) == {
        "order_id": "o-1",
        "prices": {"EUR": "9.90", "USD": "10.90"},  # read whole
        "refund": {"reason": "damaged"},
        "items": [{"sku": "A"}, {"sku": "B"}],
        "note": None,  # present, though null
    }
    assert project(ORDER, ("items[]",)) == {"items": ORDER["items"]}  # each item whole
    assert project(ORDER, ()) == {}


def test_a_value_read_whole_wins_over_a_field_of_it_in_either_order():
    whole = {"refund": ORDER["refund"], "items": ORDER["items"]}

    assert project(ORDER, ("refund.reason", "refund", "items[].sku", "items[]")) == whole
    assert project(ORDER, ("refund", "refund.reason", "items[]", "items[].sku")) == whole


def test_a_field_the_payload_lacks_stays_missing():
    fields = ("order_id", "coupon", "refund.at", "shipping.city", "lines[].sku")

    assert project({"order_id": "o-1", "refund": {"reason": "r"}}, fields) == {
        "order_id": "o-1",
        "refund": {},
    }
    assert project({"items": [{"sku": "A"}, {"name": "no sku"}]}, ("items[].sku",)) == {
        "items": [{"sku": "A"}, {}]
    }


def test_a_value_of_another_shape_than_declared_passes_only_when_plain():
    payload = {"items": "not a list", "refund": ["r"], "prices": {"EUR": "1"}, "ids": [["a"]]}
    fields = ("items[].sku", "refund.reason", "prices[]", "ids[].x")

    # a plain value holds nothing undeclared: the handler sees it and refuses it as before
    assert project(payload, fields) == {"items": "not a list", "ids": []}


def test_a_consumer_projects_an_event_by_its_type_and_version():
    reads = Consumes(
        "g",
        ("parcels",),
        (Reads("parcels.shipped", 1, ("parcel_id",)), Reads("parcels.shipped", 3, ("carrier",))),
    )
    shipped = SHIPPED({"parcel_id": "p-1", "carrier": "ups", "note": "fragile"}, NOW).envelope(
        "parcels"
    )

    projected = reads.project(shipped)

    assert projected.payload == {"carrier": "ups"}
    assert (projected.id, projected.type, projected.version) == (shipped.id, shipped.type, 3)
    assert shipped.payload["note"] == "fragile"  # the event itself is left as it was
