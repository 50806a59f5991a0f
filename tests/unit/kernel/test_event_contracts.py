"""Event declarations: a payload is made as its event declares it; consumers declare versions."""

# No `from __future__ import annotations`: a TypedDict must see `NotRequired` evaluated.
from datetime import UTC, datetime

import pytest

from subgraphs.kernel.core.contracts import Consumes, Reads, project, unknown_version
from subgraphs.kernel.core.events import (
    Event,
    EventSpec,
    MalformedEvent,
    NotRequired,
    PayloadMismatch,
    TypedDict,
)

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
    assert project(ORDER, ("items", "items[].sku")) == {"items": ORDER["items"]}
    assert project(ORDER, ("items[].sku", "items")) == {"items": ORDER["items"]}


def test_a_field_the_payload_lacks_stays_missing():
    fields = ("order_id", "coupon", "refund.at", "shipping.city", "lines[].sku")

    assert project({"order_id": "o-1", "refund": {"reason": "r"}}, fields) == {
        "order_id": "o-1",
        "refund": {},
    }
    assert project({"items": [{"sku": "A"}, {"name": "no sku"}]}, ("items[].sku",)) == {
        "items": [{"sku": "A"}, {}]
    }


@pytest.mark.parametrize(
    ("payload", "fields", "reason"),
    [
        (
            {"short": [["A", 1]]},
            ("short[].sku",),
            "payload field short[] has an item that is not an object",
        ),
        (
            {"short": [None]},
            ("short[].sku",),
            "payload field short[] has an item that is not an object",
        ),
        ({"short": {"sku": "A"}}, ("short[].sku",), "payload field short is not a list"),
        ({"short": "A"}, ("short[]",), "payload field short is not a list"),
        ({"refund": ["r"]}, ("refund.reason",), "payload field refund is not an object"),
        ({"refund": "r"}, ("refund.reason",), "payload field refund is not an object"),
        (
            {"order": {"items": [{"sku": {"x": 1}, "tax": 3}]}},
            ("order.items[].tax.rate",),
            "payload field order.items[].tax is not an object",
        ),
    ],
)
def test_a_value_of_another_shape_than_declared_is_malformed(payload, fields, reason):
    with pytest.raises(MalformedEvent) as refused:
        project(payload, fields)

    assert str(refused.value) == reason


def test_a_null_object_or_list_stays_null():
    fields = ("refund.reason", "items[].sku", "lines[]")

    assert project({"refund": None, "items": None, "lines": None}, fields) == {
        "refund": None,
        "items": None,
        "lines": None,
    }


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
