"""Policy before (pushdown) and after (row filters, redaction, coarsening) the fan-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.contract import BBox, GeoPoint, JSONValue, Near, SourceEntity, SourceQuery
from adapters.geo import distance_m, is_near, is_within
from gateway.federation.model import RowFilter, Rules
from gateway.policy.grid import METRES_PER_DEGREE, coarsen, widen_box, widen_near
from gateway.policy.pushdown import restrict, upstream
from gateway.policy.redaction import redact
from gateway.policy.row_filter import passes
from gateway.query.filtering import visible_rows

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LUND = GeoPoint(55.7047, 13.1910)

lats = st.floats(-85, 85, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)
cells = st.sampled_from([10.0, 100.0, 500.0, 1000.0, 5000.0])


def entity(
    entity_id: str = "e1",
    location: GeoPoint | None = LUND,
    observed_at: datetime | None = NOW,
    **attributes: object,
) -> SourceEntity:
    return SourceEntity(entity_id, "TrafficFlowObserved", location, observed_at, attributes)


# --- the grid ---------------------------------------------------------------------------


@given(lats, lons, cells)
def test_a_coarse_point_is_its_own_cell_centre_and_near_the_true_one(
    lat: float, lon: float, cell: float
) -> None:
    point = GeoPoint(lat, lon)
    coarse = coarsen(point, cell)
    assert coarsen(coarse, cell) == pytest.approx(coarse)
    assert distance_m(point, coarse) <= cell


@given(lats, lons, cells)
def test_points_of_one_cell_share_the_centre(lat: float, lon: float, cell: float) -> None:
    coarse = coarsen(GeoPoint(lat, lon), cell)
    step = cell / METRES_PER_DEGREE / 4
    inside = GeoPoint(coarse.lat + step, coarse.lon)
    assert coarsen(inside, cell) == coarse


@given(lats, lons, cells, st.floats(0, 20_000))
def test_widened_near_keeps_every_point_whose_centre_is_near(
    lat: float, lon: float, cell: float, radius: float
) -> None:
    point = GeoPoint(lat, lon)
    near = Near(coarsen(point, cell), radius)  # the coarse point is inside
    assert is_near(point, widen_near(near, cell))


@given(lats, lons, cells)
def test_widened_box_keeps_every_point_whose_centre_is_inside(
    lat: float, lon: float, cell: float
) -> None:
    point = GeoPoint(lat, lon)
    centre = coarsen(point, cell)
    box = BBox(centre.lat, centre.lon, centre.lat, centre.lon)
    assert is_within(point, widen_box(box, cell))


# --- row filters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row_filter", "attributes", "expected"),
    [
        (RowFilter("laneId", "eq", 1), {"laneId": 1}, True),
        (RowFilter("laneId", "eq", 1), {"laneId": 2}, False),
        (RowFilter("laneId", "eq", 1), {"laneId": True}, False),
        (RowFilter("laneId", "eq", 1), {"laneId": "1"}, False),
        (RowFilter("laneId", "eq", 1), {"laneId": 1.0}, True),
        (RowFilter("laneId", "eq", 1), {}, False),
        (RowFilter("laneId", "ne", 1), {"laneId": 2}, True),
        (RowFilter("laneId", "ne", 1), {}, False),
        (RowFilter("laneId", "ne", 1), {"laneId": [1]}, False),
        (RowFilter("speed", "lt", 50), {"speed": 49.9}, True),
        (RowFilter("speed", "lt", 50), {"speed": 50}, False),
        (RowFilter("speed", "le", 50), {"speed": 50}, True),
        (RowFilter("speed", "gt", 50), {"speed": "60"}, False),
        (RowFilter("speed", "ge", 50), {"speed": float("nan")}, False),
        (RowFilter("name", "ge", "m"), {"name": "malmo"}, True),
        (RowFilter("on", "eq", True), {"on": True}, True),
        (RowFilter("on", "eq", True), {"on": 1}, False),
        (RowFilter("laneDirection", "in", ("forward",)), {"laneDirection": "forward"}, True),
        (RowFilter("laneDirection", "in", ("forward",)), {"laneDirection": "backward"}, False),
    ],
)
def test_row_filters(row_filter: RowFilter, attributes: dict[str, object], expected: bool) -> None:
    assert passes(attributes, [row_filter]) is expected


# --- redaction --------------------------------------------------------------------------


def test_drop_removes_attributes_and_location() -> None:
    shown = redact(entity(address="Storgatan 1", intensity=3), Rules(drop=frozenset({"address"})))
    assert shown.attributes == {"intensity": 3}
    assert shown.location == LUND
    hidden = redact(entity(intensity=3), Rules(drop=frozenset({"location"})))
    assert hidden.location is None


def test_keep_shows_only_what_it_lists() -> None:
    rules = Rules(keep=frozenset({"intensity"}))
    shown = redact(entity(address="x", intensity=3, laneId=1), rules)
    assert (shown.attributes, shown.location) == ({"intensity": 3}, None)
    assert redact(entity(), Rules(keep=frozenset({"location"}))).location == LUND


def test_coarsening_moves_the_location_to_its_cell_centre() -> None:
    shown = redact(entity(), Rules(coarsen_m=1000.0))
    assert shown.location == coarsen(LUND, 1000.0) != LUND


def test_row_filters_see_what_the_caller_does_not() -> None:
    rules = Rules(keep=frozenset({"intensity"}), where=(RowFilter("laneId", "eq", 1),))
    entities = [entity("a", laneId=1, intensity=5), entity("b", laneId=2, intensity=7)]
    shown = visible_rows(entities, SourceQuery("TrafficFlowObserved"), rules)
    assert [(e.id, dict(e.attributes)) for e in shown] == [("a", {"intensity": 5})]


def test_the_callers_near_filter_sees_only_the_coarse_location() -> None:
    """A tight filter around the true point must not single the entity out."""
    rules = Rules(coarsen_m=1000.0)
    tight = SourceQuery("TrafficFlowObserved", near=Near(LUND, 1.0))
    assert visible_rows([entity()], tight, rules) == []
    around_centre = SourceQuery("TrafficFlowObserved", near=Near(coarsen(LUND, 1000.0), 1.0))
    assert [e.id for e in visible_rows([entity()], around_centre, rules)] == ["e1"]


# --- pushdown ---------------------------------------------------------------------------


def test_the_time_limit_is_pushed_into_observed_before() -> None:
    rules = Rules(older_than_min=60)
    assert restrict(SourceQuery("T"), rules, NOW).observed_before == NOW - timedelta(hours=1)
    earlier = NOW - timedelta(hours=3)
    assert (
        restrict(SourceQuery("T", observed_before=earlier), rules, NOW).observed_before == earlier
    )
    late = SourceQuery("T", observed_after=NOW - timedelta(minutes=5))
    window = restrict(late, rules, NOW)
    assert window.observed_after == window.observed_before == NOW - timedelta(hours=1)


def test_data_younger_than_the_limit_and_undated_data_are_not_shown() -> None:
    wanted = restrict(SourceQuery("TrafficFlowObserved"), Rules(older_than_min=60), NOW)
    entities = [
        entity("old", observed_at=NOW - timedelta(minutes=61)),
        entity("young", observed_at=NOW - timedelta(minutes=59)),
        entity("undated", observed_at=None),
    ]
    shown = visible_rows(entities, wanted, Rules(older_than_min=60))
    assert [e.id for e in shown] == ["old"]


def test_only_attributes_that_may_be_shown_are_asked_for() -> None:
    keep = Rules(keep=frozenset({"intensity", "location"}), where=(RowFilter("laneId", "eq", 1),))
    assert upstream(SourceQuery("T"), keep).attrs == ("intensity", "laneId")
    assert upstream(SourceQuery("T"), Rules(drop=frozenset({"address"}))).attrs is None
    assert upstream(SourceQuery("T"), Rules(), statistic="intensity").attrs == ("intensity",)


def test_location_filters_are_widened_for_coarse_locations() -> None:
    query = SourceQuery("T", near=Near(LUND, 100.0), within=BBox(55, 13, 56, 14))
    sent = upstream(query, Rules(coarsen_m=1000.0))
    assert sent.near == Near(LUND, 1100.0)
    assert sent.within is not None
    assert sent.within.min_lat < 55
    assert sent.within.max_lon > 14
    assert upstream(query, Rules()).near == query.near


def test_datasets_of_a_hidden_attribute_are_hidden_too() -> None:
    datasets: dict[str, dict[str, JSONValue]] = {
        "intensity": {"urn:ngsi-ld:Dataset:lane2": 4},
        "address": {"urn:x": "y"},
    }
    whole = SourceEntity("e1", "TrafficFlowObserved", LUND, NOW, {"intensity": 3}, datasets)
    assert redact(whole, Rules(drop=frozenset({"address"}))).datasets == {
        "intensity": {"urn:ngsi-ld:Dataset:lane2": 4}
    }
    assert redact(whole, Rules(keep=frozenset({"address"}))).datasets == {"address": {"urn:x": "y"}}


def test_a_location_dataset_is_not_shown_where_locations_are_coarsened() -> None:
    point = {"type": "Point", "coordinates": [13.1910, 55.7047]}
    whole = SourceEntity("e1", "T", LUND, NOW, {}, {"location": {"urn:gps2": point}})
    assert redact(whole, Rules(coarsen_m=1000.0)).datasets == {}
    assert redact(whole, Rules(drop=frozenset({"x"}))).datasets == {"location": {"urn:gps2": point}}
