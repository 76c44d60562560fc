"""Entries as bytes for Redis: what goes in comes out; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.contract import GeoPoint, SourceEntity, SourceResult
from gateway.query.cache.codec import CodecError, decode_entry, encode_entry
from gateway.query.cache.entry import Entry

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
entities = st.builds(
    SourceEntity,
    id=st.text(min_size=1, max_size=20),
    type=st.sampled_from(["WeatherObserved", "Beach"]),
    location=st.none() | st.builds(GeoPoint, st.floats(-90, 90), st.floats(-180, 180)),
    observed_at=st.none() | st.datetimes(timezones=st.just(UTC)),
    attributes=st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    datasets=st.dictionaries(
        st.text(max_size=8),
        st.dictionaries(st.text(max_size=12), json_values, max_size=3),
        max_size=2,
    ),
)


@given(
    st.lists(entities, max_size=5),
    st.none() | st.integers(0, 10_000),
    st.booleans(),
    st.none() | st.just("max-age=60"),
    st.none() | st.text(max_size=30),
)
def test_round_trip(
    found: list[SourceEntity],
    total: int | None,
    truncated: bool,
    cache_control: str | None,
    validator: str | None,
) -> None:
    result = SourceResult(found, total, truncated, cache_control, validator)
    entry = Entry(result, 1.5, 2.5, 3.5, 4.5)
    back = decode_entry(encode_entry(entry))
    assert back.result.entities == found
    assert back == Entry(
        SourceResult(found, total, truncated, cache_control, validator), 1.5, 2.5, 3.5, 4.5
    )


def test_times_stay_timezone_aware() -> None:
    moment = datetime(2026, 11, 25, 9, 59, 12, 345000, tzinfo=UTC)
    entity = SourceEntity("a", "WeatherObserved", None, moment, {})
    back = decode_entry(encode_entry(Entry(SourceResult([entity]), 0, 1, 2, 3)))
    assert back.result.entities[0].observed_at == moment
    assert back.result.entities[0].observed_at.tzinfo is not None


def test_every_dataset_of_an_attribute_comes_back() -> None:
    datasets = {"temperature": {"urn:ngsi-ld:Dataset:shade": 3.0, "urn:ngsi-ld:Dataset:sun": 9.5}}
    entity = SourceEntity("a", "WeatherObserved", None, None, {"temperature": 5.0}, datasets)
    (back,) = decode_entry(encode_entry(Entry(SourceResult([entity]), 0, 1, 2, 3))).result.entities
    assert back.datasets == datasets


def test_an_entry_of_the_format_without_datasets_is_refused() -> None:
    old = b'{"format": 1, "times": [0, 1, 2, 3], "total": null, "truncated": false, '
    old += b'"cache_control": null, "validator": null, "entities": [["a", "T", null, null, {}]]}'
    with pytest.raises(CodecError, match="format 1"):
        decode_entry(old)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'{"format": 2}',
        b'{"format": 2, "times": [1, 2]}',
        b'{"format": 2, "times": [0, 1, 2, 3], "total": null, "truncated": false, '
        b'"cache_control": null, "validator": null, "entities": [["a", "T", null, null, {}, []]]}',
    ],
)
def test_anything_else_is_a_codec_error(data: bytes) -> None:
    with pytest.raises(CodecError):
        decode_entry(data)
