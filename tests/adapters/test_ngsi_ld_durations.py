"""Aggregation periods reach the broker as ISO 8601 durations it can read."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from adapters.contract import AdapterContext, Aggregation, HistoryQuery
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.ngsi_ld.config import validate_config
from adapters.ngsi_ld.contexts import term_map
from adapters.ngsi_ld.temporal import history_params
from adapters.sdk.durations import iso_duration
from tests.support.sim import Sim

DAY = 86_400


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "PT0S"),
        (1.5, "PT1.5S"),
        (90, "PT1M30S"),
        (3600, "PT1H"),
        (DAY, "P1D"),
        (1.5 * DAY, "P1DT12H"),
        (30 * DAY, "P30D"),
        (365 * DAY + 1, "P365DT1S"),
        (0.000_001, "PT0.000001S"),
    ],
)
def test_iso_durations(seconds: float, text: str) -> None:
    assert iso_duration(seconds) == text


@pytest.mark.parametrize("bad", [-1.0, float("inf"), float("nan")])
def test_a_span_that_is_no_duration_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="finite number of seconds"):
        iso_duration(bad)


def test_thirty_days_is_p30d() -> None:
    """Issue 12, durations defect: ``aggrPeriodDuration`` was ``PT{seconds:g}S``, so 30 days
    went out as ``PT2.592e+06S``, which no broker reads."""
    config = validate_config({"url": "http://b.example", "temporal": {"aggregation": True}})
    now = datetime(2026, 11, 25, tzinfo=UTC)
    query = HistoryQuery("WeatherObserved", now - timedelta(days=60), now,
                         aggregation=Aggregation("avg", 30 * DAY))  # fmt: skip
    params = dict(history_params(query, config, term_map(config.defaults.context), 10))
    assert params["aggrPeriodDuration"] == "P30D"


async def test_a_thirty_day_period_is_answered_by_the_broker(sim: Sim) -> None:
    """Issue 12, durations defect: citysim answered 400 to ``PT2.592e+06S``."""
    adapter = NgsiLdAdapter(
        {"url": sim.urls["stockholm"], "temporal": {"aggregation": True}},
        AdapterContext("stockholm", logging.getLogger("test")),
    )
    now = datetime.now(UTC)
    query = HistoryQuery("WeatherObserved", now - timedelta(hours=2), now,
                         aggregation=Aggregation("avg", 30 * DAY), limit=2)  # fmt: skip
    try:
        result = await adapter.fetch_history(query)
    finally:
        await adapter.aclose()
    assert len(result.entities) == 2
    for entity in result.entities:
        assert entity.series["temperature"], "one 30-day period holding the two hours"
