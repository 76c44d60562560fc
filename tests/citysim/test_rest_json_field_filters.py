"""The simulated open-data API's field filters (``<field>__<lookup>``), as its items show."""

from __future__ import annotations

import pytest

from citysim.rest_json.field_filters import field_filter

ITEM = {"temperature": 4.5, "index": {"level": "Good"}, "open": True, "tags": ["a"], "n": None}
FIELDS = frozenset(ITEM)


@pytest.mark.parametrize(
    ("name", "value", "kept"),
    [
        ("temperature__gt", "4", True),
        ("temperature__gt", "4.5", False),
        ("temperature__gte", "4.5", True),
        ("temperature__lt", "x", False),  # not a number: a number field never matches it
        ("temperature", "4.50", True),
        ("temperature__in", "1,4.5", True),
        ("index.level__exact", "Good", True),
        ("index.level__exact", "good", False),
        ("index.level__icontains", "OO", True),
        ("index.level__in", "Fair,Good", True),
        ("index.level__gt", "A", True),
        ("open", "true", True),
        ("open__gt", "false", False),
        ("tags", "a", False),
        ("n", "None", False),
        ("missing__gt", "1", False),
    ],
)
def test_a_field_filter_keeps_what_it_says(name: str, value: str, kept: bool) -> None:
    found = field_filter(name, value, FIELDS)
    assert found is not None
    assert found.keeps(ITEM) is kept


def test_a_name_that_is_neither_a_field_nor_a_lookup_is_no_filter() -> None:
    assert field_filter("colour", "red", FIELDS) is None
    assert field_filter("temperature__above", "1", FIELDS) is None
    assert field_filter("1x__gt", "1", FIELDS) is None
