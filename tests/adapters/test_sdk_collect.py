"""Collector: offset, limit, totals and truncation, with and without local filtering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.contract import GeoPoint, Near, SourceEntity, SourceQuery
from adapters.sdk.collect import Collector
from adapters.sdk.local import matcher, matches

AT = datetime(2026, 11, 18, 12, tzinfo=UTC)


def entity(n: int, lat: float = 0.0) -> SourceEntity:
    return SourceEntity(f"e{n}", "T", GeoPoint(lat, 0.0), AT, {})


def test_without_refinement_the_platform_total_is_kept() -> None:
    collector = Collector(SourceQuery("T", limit=2, offset=5), refine=False)
    collector.extend(entity(n) for n in range(2))
    assert collector.full
    result = collector.result(exhausted=False, platform_total=9)
    assert ([e.id for e in result.entities], result.total_count, result.truncated) == (
        ["e0", "e1"],
        9,
        True,
    )


def test_without_a_platform_total_it_is_known_once_exhausted() -> None:
    collector = Collector(SourceQuery("T", limit=10, offset=3), refine=False)
    collector.extend(entity(n) for n in range(4))
    result = collector.result(exhausted=True)
    assert (result.total_count, result.truncated) == (7, False)


def test_refinement_filters_then_skips_then_limits() -> None:
    near = Near(GeoPoint(0.0, 0.0), 1000.0)
    collector = Collector(SourceQuery("T", near=near, limit=2, offset=1), refine=True)
    collector.extend([entity(0), entity(1, lat=1.0), entity(2), entity(3), entity(4)])
    result = collector.result(exhausted=True, platform_total=99)
    assert [e.id for e in result.entities] == ["e2", "e3"]
    assert (result.total_count, result.truncated) == (4, True)


def test_refined_totals_are_unknown_until_exhausted() -> None:
    collector = Collector(SourceQuery("T", limit=5), refine=True)
    collector.extend([entity(0)])
    assert collector.result(exhausted=False, platform_total=3).total_count is None


def test_limit_zero_says_whether_anything_matched() -> None:
    collector = Collector(SourceQuery("T", limit=0), refine=True)
    collector.extend([entity(0)])
    result = collector.result(exhausted=True)
    assert (list(result.entities), result.truncated, result.total_count) == ([], True, 1)


@settings(max_examples=200, deadline=None)
@given(
    minutes=st.lists(st.one_of(st.none(), st.integers(-5, 5)), max_size=12),
    after=st.one_of(st.none(), st.integers(-5, 5)),
    before=st.one_of(st.none(), st.integers(-5, 5)),
    near=st.booleans(),
)
def test_the_matcher_of_a_query_agrees_with_matches(
    minutes: list[int | None], after: int | None, before: int | None, near: bool
) -> None:
    """``matcher(query)`` (only the checks the query needs) gives what ``matches`` gives."""

    def at(m: int | None) -> datetime | None:
        return None if m is None else AT + timedelta(minutes=m)

    query = SourceQuery(
        "T",
        observed_after=at(after),
        observed_before=at(before),
        near=Near(GeoPoint(0.0, 0.0), 50_000.0) if near else None,
    )
    passes = matcher(query)
    for n, m in enumerate(minutes):
        e = SourceEntity(f"e{n}", "T", GeoPoint(n * 0.2, 0.0), at(m), {})
        assert passes(e) is matches(e, query)


def test_refining_skips_the_offset_among_matches_and_notes_overflow() -> None:
    query = SourceQuery("T", limit=2, offset=1, near=Near(GeoPoint(0.0, 0.0), 1_000.0))
    collector = Collector(query, refine=True)
    collector.extend([entity(0), entity(1, lat=5.0), entity(2), entity(3), entity(4)])
    assert [e.id for e in collector.entities] == ["e2", "e3"]
    assert (collector.matched, collector.overflow) == (4, True)
