"""Event declarations: a payload is made as its event declares it; consumers declare versions."""

# No `from __future__ import annotations`: a TypedDict must see `NotRequired` evaluated.
from datetime import UTC, datetime

import pytest

from subgraphs.kernel.core.contracts import Consumes, Reads, unknown_version
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
