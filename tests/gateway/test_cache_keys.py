"""Cache keys: the same question shares a key, anything that changes the answer does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from adapters.contract import BBox, Comparison, Condition, GeoPoint, Near, SourceQuery
from gateway.federation.model import Rules
from gateway.policy.pushdown import restrict, upstream
from gateway.query.cache.keys import cache_key

Q = SourceQuery(
    "WeatherObserved",
    attrs=("temperature", "windSpeed"),
    near=Near(GeoPoint(55.6, 13.0), 1000.0),
    observed_after=datetime(2026, 1, 1, tzinfo=UTC),
    limit=500,
)


def test_the_same_question_in_another_spelling_has_the_same_key() -> None:
    spelled = replace(
        Q,
        attrs=("windSpeed", "temperature", "windSpeed"),
        observed_after=datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
    )
    assert cache_key("malmo", spelled, "p1") == cache_key("malmo", Q, "p1")


def test_negative_zero_is_zero() -> None:
    a = replace(Q, near=None, within=BBox(0.0, 0.0, 1.0, 1.0))
    b = replace(Q, near=None, within=BBox(-0.0, -0.0, 1.0, 1.0))
    assert cache_key("malmo", a, "p") == cache_key("malmo", b, "p")


def test_city_policy_class_and_every_query_part_change_the_key() -> None:
    base = cache_key("malmo", Q, "p1")
    variants = [
        cache_key("lund", Q, "p1"),
        cache_key("malmo", Q, "p2"),
        cache_key("malmo", replace(Q, entity_type="AirQualityObserved"), "p1"),
        cache_key("malmo", replace(Q, attrs=None), "p1"),
        cache_key("malmo", replace(Q, attrs=("temperature",)), "p1"),
        cache_key("malmo", replace(Q, near=Near(GeoPoint(55.6, 13.0), 1001.0)), "p1"),
        cache_key("malmo", replace(Q, near=None, within=BBox(55, 12, 56, 14)), "p1"),
        cache_key("malmo", replace(Q, observed_after=None), "p1"),
        cache_key("malmo", replace(Q, observed_before=datetime(2026, 2, 1, tzinfo=UTC)), "p1"),
        cache_key("malmo", replace(Q, limit=100), "p1"),
        cache_key("malmo", replace(Q, offset=10), "p1"),
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_the_key_names_its_city_and_holds_no_secret() -> None:
    key = cache_key("malmo", Q, "a3f9")
    assert key.startswith("caap:v1:malmo:")
    assert "a3f9" not in key


def test_l2_an_older_than_min_limit_does_not_make_every_question_new() -> None:
    """Finding L2: older_than_min grants defeated the upstream cache (5 questions, 5 calls)."""
    rules = Rules(older_than_min=30)
    asked = SourceQuery("WaterQualityObserved", limit=500)
    start = datetime(2026, 11, 25, 9, 0, 5, 123456, tzinfo=UTC)
    keys: set[str] = set()
    limits: list[datetime] = []
    for seconds in (0, 1.5, 20, 54.8):
        now = start + timedelta(seconds=seconds)
        wanted = restrict(asked, rules, now)
        assert wanted.observed_before is not None
        limits.append(wanted.observed_before)
        keys.add(cache_key("malmo", upstream(wanted, rules), "p"))
        sent = upstream(wanted, rules).observed_before
        assert sent is not None
        assert wanted.observed_before is not None
        assert timedelta(0) <= sent - wanted.observed_before < timedelta(minutes=1)
    assert len(keys) == 1
    assert limits == sorted(limits)  # what the caller gets still follows the clock
    assert len(set(limits)) == 4


def test_where_changes_the_key_and_its_order_does_not() -> None:
    hot = Condition("temperature", Comparison.GT, 20)
    calm = Condition("windSpeed", Comparison.LT, 3)
    keys = {
        cache_key("malmo", replace(Q, where=where), "p1")
        for where in [
            (),
            (hot,),
            (replace(hot, value=21),),
            (replace(hot, op=Comparison.GTE),),
            (replace(hot, value="20"),),
            (hot, calm),
        ]
    }
    assert len(keys) == 6
    assert cache_key("malmo", replace(Q, where=(calm, hot)), "p1") == cache_key(
        "malmo", replace(Q, where=(hot, calm)), "p1"
    )
