"""Conditional GET: an ETag on every query answer, 304 when the client already has it."""

from __future__ import annotations

from citysim.conditional import etag_of, matches
from tests.citysim.sim_http import ManualClock, Ngsi, link

WEATHER = {"type": "WeatherObserved"}


async def test_the_same_answer_has_the_same_tag_and_is_not_sent_twice(ngsi: Ngsi) -> None:
    first = await ngsi.get(params=WEATHER, headers=link())
    tag = first.headers["ETag"]
    assert tag == etag_of(first.body)
    again = await ngsi.get(params=WEATHER, headers={**link(), "If-None-Match": tag})
    assert again.status == 304
    assert again.body == b""
    assert again.headers["ETag"] == tag


async def test_another_page_or_new_data_has_another_tag(ngsi: Ngsi, clock: ManualClock) -> None:
    first = await ngsi.get(params=WEATHER, headers=link())
    tag = first.headers["ETag"]
    page = await ngsi.get(
        params={**WEATHER, "limit": "2"}, headers={**link(), "If-None-Match": tag}
    )
    assert page.status == 200
    clock.now += 3600  # the next time bucket: new observations
    later = await ngsi.get(params=WEATHER, headers={**link(), "If-None-Match": tag})
    assert later.status == 200
    assert later.headers["ETag"] != tag


def test_if_none_match_lists_and_weak_tags() -> None:
    assert matches('"a", W/"b"', '"b"')
    assert matches("*", '"x"')
    assert not matches('"a"', '"b"')
    assert not matches(None, '"b"')
