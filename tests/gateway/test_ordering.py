"""The orders of ``orderBy`` (ADR 0019): where each value goes, and cursors bound to an order."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson
import pytest

from adapters.contract import GeoPoint, SourceEntity
from gateway.query.cursor import CursorError, decode_cursor, encode_cursor, fingerprint
from gateway.query.merge import merge_page, order_city
from gateway.query.ordering import NEWEST_FIRST, Direction, Order, OrderBy

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BY_V = Order(OrderBy.ATTRIBUTE, Direction.ASC, "v")
BY_V_DESC = Order(OrderBy.ATTRIBUTE, Direction.DESC, "v")
VALUES: dict[str, object] = {
    "n1": 1,
    "n2": 2.5,
    "t-a": "a",
    "t-ab": "ab",
    "t-b": "b",
    "bool": True,
    "null": None,
    "list": [1],
    "object": {"x": 1},
    "nan": float("nan"),
}


def entity(eid: str, value: object = None, where: GeoPoint | None = None) -> SourceEntity:
    attributes = {"v": value} if eid != "absent" else {}
    return SourceEntity(eid, "T", where, T0, attributes)


def ids(order: Order, entities: list[SourceEntity], origin: GeoPoint | None = None) -> list[str]:
    page = merge_page({"malmo": order_city("malmo", entities, order, origin)}, first=100)
    return [p.entity.id for p in page.items]


def test_numbers_then_text_then_everything_else_by_id() -> None:
    rows = [entity(k, v) for k, v in VALUES.items()] + [entity("absent")]
    assert ids(BY_V, rows) == [
        "n1", "n2", "t-a", "t-ab", "t-b",
        "absent", "bool", "list", "nan", "null", "object",
    ]  # fmt: skip


def test_descending_reverses_numbers_and_text_and_keeps_the_rest_last() -> None:
    rows = [entity(k, v) for k, v in VALUES.items()] + [entity("absent")]
    assert ids(BY_V_DESC, rows) == [
        "n2", "n1", "t-b", "t-ab", "t-a",
        "absent", "bool", "list", "nan", "null", "object",
    ]  # fmt: skip


def test_ties_are_broken_by_city_then_id() -> None:
    streams = {
        "malmo": order_city("malmo", [entity("b", 1), entity("a", 1)], BY_V_DESC),
        "lund": order_city("lund", [entity("c", 1)], BY_V_DESC),
    }
    page = merge_page(streams, first=10)
    assert [(p.city_id, p.entity.id) for p in page.items] == [
        ("lund", "c"),
        ("malmo", "a"),
        ("malmo", "b"),
    ]


def test_distance_nearest_first_without_location_last() -> None:
    origin = GeoPoint(55.6, 13.0)
    rows = [
        entity("far", where=GeoPoint(56.0, 13.0)),
        entity("nowhere"),
        entity("near", where=GeoPoint(55.61, 13.0)),
    ]
    assert ids(Order(OrderBy.DISTANCE, Direction.ASC), rows, origin) == ["near", "far", "nowhere"]
    assert ids(Order(OrderBy.DISTANCE, Direction.DESC), rows, origin) == ["far", "near", "nowhere"]


def test_a_long_text_orders_on_its_prefix_and_keeps_the_cursor_small() -> None:
    rows = [entity("b", "x" * 5000 + "a"), entity("a", "x" * 5000 + "b")]
    assert ids(BY_V, rows) == ["a", "b"]  # equal on the prefix: by id
    key = order_city("malmo", rows, BY_V)[0].key
    assert len(encode_cursor(key, fingerprint([]), BY_V)) < 200


@pytest.mark.parametrize("order", [NEWEST_FIRST, BY_V, BY_V_DESC])
def test_a_cursor_names_its_order_and_is_refused_by_another(order: Order) -> None:
    key = order_city("malmo", [entity("a", "text")], order)[0].key
    fp = fingerprint(["T"])
    cursor = encode_cursor(key, fp, order)
    assert decode_cursor(cursor, fp, order) == key
    other = Order(OrderBy.DISTANCE, Direction.ASC)
    with pytest.raises(CursorError, match=f"another order \\({order.label()}\\)"):
        decode_cursor(cursor, fp, other)


@pytest.mark.parametrize(
    ("order", "rank", "value"),
    [
        (NEWEST_FIRST, 0, "soon"),
        (NEWEST_FIRST, 0, 1.5),
        (NEWEST_FIRST, 2, 1),
        (BY_V, 1, [1, 2]),
        (BY_V_DESC, 1, "a"),
        (BY_V, 0, True),
        (BY_V, 3, 0),
    ],
)
def test_a_tampered_sort_value_is_refused(order: Order, rank: int, value: object) -> None:
    fp = fingerprint(["T"])
    raw = orjson.dumps([2, fp, order.label(), rank, value, "malmo", "a"])
    cursor = base64.urlsafe_b64encode(raw).decode("ascii")
    with pytest.raises(CursorError, match="malformed cursor"):
        decode_cursor(cursor, fp, order)


def test_the_default_order_adds_nothing_to_the_fingerprint() -> None:
    assert NEWEST_FIRST.fingerprint_part() is None
    assert BY_V.fingerprint_part() == "attribute v asc"
