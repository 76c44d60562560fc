"""Cross-city ordering, cursors and the k-way merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.contract import GeoPoint, SourceEntity
from gateway.query.cursor import CursorError, decode_cursor, encode_cursor, fingerprint
from gateway.query.merge import Placed, city_head, merge_page, order_city
from gateway.query.ordering import Direction, Order, OrderBy, sort_key

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def ent(eid: str, minutes: int | None) -> SourceEntity:
    observed = None if minutes is None else T0 - timedelta(minutes=minutes)
    return SourceEntity(
        id=eid, type="WeatherObserved", location=None, observed_at=observed, attributes={}
    )


def test_global_order_is_newest_first_then_city_then_id() -> None:
    streams = {
        "lund": order_city("lund", [ent("b", 5), ent("a", 5), ent("c", None)]),
        "malmo": order_city("malmo", [ent("a", 1), ent("z", 5)]),
    }
    page = merge_page(streams, first=10)
    assert [(p.city_id, p.entity.id) for p in page.items] == [
        ("malmo", "a"),
        ("lund", "a"),
        ("lund", "b"),
        ("malmo", "z"),
        ("lund", "c"),
    ]
    assert page.has_next is False


def test_has_next_and_continuation_after_cursor_key() -> None:
    streams = {"malmo": order_city("malmo", [ent(str(i), i) for i in range(5)])}
    first = merge_page(streams, first=2)
    assert [p.entity.id for p in first.items] == ["0", "1"]
    assert first.has_next is True
    second = merge_page(streams, first=2, after=first.items[-1].key)
    assert [p.entity.id for p in second.items] == ["2", "3"]


def test_duplicate_ids_in_one_city_are_dropped() -> None:
    ordered = order_city("malmo", [ent("a", 1), ent("a", 2)])
    assert len(ordered) == 1


def test_cursor_round_trip_and_binding_to_query() -> None:
    key = sort_key("malmo", ent("urn:x", 3))
    fp = fingerprint(["WeatherObserved", None])
    assert decode_cursor(encode_cursor(key, fp), fp) == key
    other = fingerprint(["AirQualityObserved", None])
    with pytest.raises(CursorError, match="different query"):
        decode_cursor(encode_cursor(key, fp), other)


@pytest.mark.parametrize("bad", ["", "not-a-cursor", "!!!!", "WzEsMl0", "e30"])
def test_malformed_cursor_is_refused(bad: str) -> None:
    with pytest.raises(CursorError, match="malformed cursor"):
        decode_cursor(bad, fingerprint([]))


city_data = st.dictionaries(
    keys=st.sampled_from(["goteborg", "lund", "malmo", "umea"]),
    values=st.lists(
        st.tuples(st.text("abcdef", min_size=1, max_size=3), st.none() | st.integers(0, 20)),
        max_size=25,
    ),
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(data=city_data, page_size=st.integers(1, 12))
def test_paging_through_everything_equals_fetching_everything(
    data: dict[str, list[tuple[str, int | None]]], page_size: int
) -> None:
    streams = {c: order_city(c, [ent(i, m) for i, m in rows]) for c, rows in data.items()}
    everything = merge_page(streams, first=10_000).items
    fp = fingerprint(["t"])
    paged: list[Placed] = []
    cursor: str | None = None
    while True:
        after = decode_cursor(cursor, fp) if cursor else None
        page = merge_page(streams, first=page_size, after=after)
        paged.extend(page.items)
        if not page.has_next:
            break
        assert len(page.items) == page_size
        cursor = encode_cursor(page.items[-1].key, fp)
    assert [(p.city_id, p.entity.id) for p in paged] == [
        (p.city_id, p.entity.id) for p in everything
    ]
    assert len({(p.city_id, p.entity.id) for p in paged}) == len(paged)


ORDERS = st.builds(
    Order,
    st.sampled_from(list(OrderBy)),
    st.sampled_from(list(Direction)),
    st.just("v"),
).map(lambda o: o if o.by is OrderBy.ATTRIBUTE else Order(o.by, o.direction))
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=80),
    st.lists(st.integers(), max_size=2),
)
"""Every kind of JSON value an attribute may hold, comparable or not."""
ROWS = st.lists(
    st.tuples(
        st.text("abcdef", min_size=1, max_size=3),
        st.none() | st.integers(0, 20),
        st.none() | st.tuples(st.integers(-3, 3), st.integers(-3, 3)),
        VALUES,
    ),
    max_size=25,
)


def located(eid: str, minutes: int | None, cell: tuple[int, int] | None, v: object) -> SourceEntity:
    where = None if cell is None else GeoPoint(55.6 + cell[0] / 100, 13.0 + cell[1] / 100)
    observed = None if minutes is None else T0 - timedelta(minutes=minutes)
    return SourceEntity(eid, "T", where, observed, {"v": v} if v is not None else {})


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(st.sampled_from(["goteborg", "lund", "malmo"]), ROWS, max_size=3),
    order=ORDERS,
    page_size=st.integers(1, 12),
)
def test_paging_through_any_order_equals_fetching_everything(
    data: dict[str, list[tuple[str, int | None, tuple[int, int] | None, object]]],
    order: Order,
    page_size: int,
) -> None:
    origin = GeoPoint(55.6, 13.0)
    streams = {
        c: order_city(c, [located(*row) for row in rows], order, origin) for c, rows in data.items()
    }
    everything = merge_page(streams, first=10_000).items
    fp = fingerprint(["t", order.fingerprint_part()])
    paged: list[Placed] = []
    cursor: str | None = None
    while True:
        after = decode_cursor(cursor, fp, order) if cursor else None
        page = merge_page(streams, first=page_size, after=after)
        paged.extend(page.items)
        if not page.has_next:
            break
        cursor = encode_cursor(page.items[-1].key, fp, order)
    assert [p.key for p in paged] == [p.key for p in everything]
    assert len({(p.city_id, p.entity.id) for p in paged}) == len(paged)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from("abcdefgh"), st.one_of(st.none(), st.integers(0, 6))),
        max_size=30,
    ),
    room=st.integers(1, 12),
    cut=st.one_of(st.none(), st.integers(0, 29)),
)
def test_city_head_is_the_head_of_the_whole_order(
    rows: list[tuple[str, int | None]], room: int, cut: int | None
) -> None:
    """What a page can take from a city: the first ``room`` of its whole order after the
    cursor (duplicates of an id dropped, the first one kept), and the count of them all."""
    entities = [ent(eid, minutes) for eid, minutes in rows]
    firsts: dict[str, SourceEntity] = {}
    for e in entities:
        firsts.setdefault(e.id, e)
    whole = sorted(firsts.values(), key=lambda e: sort_key("malmo", e))
    after = sort_key("malmo", whole[cut]) if cut is not None and cut < len(whole) else None
    head = city_head("malmo", entities, room, after=after)
    expected = [e for e in whole if after is None or sort_key("malmo", e) > after][:room]
    assert [p.entity for p in head.head] == expected
    assert [p.key for p in head.head] == [sort_key("malmo", e) for e in expected]
    assert head.count == len(firsts)
