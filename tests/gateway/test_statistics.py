"""Statistics arithmetic; the federated path is tested end to end in tests/integration."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.errors import BadUserInput
from gateway.query.statistics import Summary, check_attribute, numbers


def test_the_summary_of_nothing_has_a_count_only() -> None:
    assert Summary.of([]) == Summary(0, None, None, None)


@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1))
def test_summary_of_numbers(values: list[float]) -> None:
    summary = Summary.of(values)
    assert summary.count == len(values)
    assert summary.minimum == min(values)
    assert summary.maximum == max(values)
    assert summary.mean == pytest.approx(statistics.fmean(values), rel=1e-9, abs=1e-6)


def test_only_finite_numbers_count() -> None:
    values = [1, 2.5, True, "3", None, float("nan"), float("inf"), [4], {"v": 5}]
    assert list(numbers(values)) == [1.0, 2.5]


@pytest.mark.parametrize("name", ["", "location", "a b", "temp;drop", "1st"])
def test_an_attribute_name_is_checked(name: str) -> None:
    with pytest.raises(BadUserInput, match="attribute"):
        check_attribute(name)


def test_a_good_attribute_name_passes() -> None:
    check_attribute("averageVehicleSpeed")
