"""Entities of an answer already seen are reused, never an answer's whose bytes differ."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.contract import AdapterContext, SourceEntity, SourceQuery
from adapters.errors import UpstreamProtocolError
from adapters.ngsi_ld.adapter import NgsiLdAdapter
from adapters.ngsi_ld.page_memo import PageMemo
from tests.adapters.test_ngsi_ld_adapter import entity

LOG = logging.getLogger("test.page_memo")


def entities(*ids: str) -> list[SourceEntity]:
    return [SourceEntity(i, "T", None, None, {}) for i in ids]


class Mapper:
    """Counts the pages it maps."""

    def __init__(self, result: list[SourceEntity]) -> None:
        self.result = result
        self.calls = 0

    def __call__(self) -> tuple[list[SourceEntity], int]:
        self.calls += 1
        return self.result, len(self.result) + 1


def test_the_same_bytes_with_the_same_parameters_are_mapped_once() -> None:
    memo, mapper = PageMemo(), Mapper(entities("a", "b"))
    first = memo.mapped(b"[1, 2, 3]", ("ctx", None), mapper)
    again = memo.mapped(bytes(bytearray(b"[1, 2, 3]")), ("ctx", None), mapper)
    assert (list(first[0]), first[1], mapper.calls) == (entities("a", "b"), 3, 1)
    assert again[0] is first[0]


def test_other_bytes_or_other_parameters_are_mapped_anew() -> None:
    memo, mapper = PageMemo(), Mapper(entities("a"))
    memo.mapped(b"[1]", ("ctx", None), mapper)
    memo.mapped(b"[2]", ("ctx", None), mapper)
    memo.mapped(b"[1]", ("ctx", frozenset({"temperature"})), mapper)
    memo.mapped(b"", ("ctx", None), mapper)  # an empty body is not kept
    memo.mapped(b"", ("ctx", None), mapper)
    assert mapper.calls == 5


def test_a_mapping_error_keeps_nothing() -> None:
    memo = PageMemo()

    def broken() -> tuple[list[SourceEntity], int]:
        raise UpstreamProtocolError("entity #0 has no string 'id'")

    for _ in range(2):
        with pytest.raises(UpstreamProtocolError):
            memo.mapped(b"[{}]", "p", broken)


def test_memory_is_bounded_by_the_bytes_of_the_answers_held() -> None:
    memo, mapper = PageMemo(max_body_bytes=400), Mapper(entities("a"))
    for n in range(5):  # 5 x 100 bytes: the oldest is dropped
        memo.mapped(bytes([n]) * 100, "p", mapper)
    memo.mapped(bytes([4]) * 100, "p", mapper)
    assert mapper.calls == 5
    memo.mapped(bytes([0]) * 100, "p", mapper)
    assert mapper.calls == 6
    big = Mapper(entities("b"))  # more than a quarter of the bound: never kept
    memo.mapped(b"x" * 101, "p", big)
    memo.mapped(b"x" * 101, "p", big)
    assert big.calls == 2


@pytest.fixture
async def broker() -> AsyncIterator[tuple[str, list[bytes]]]:
    """Answers each query with the next body of the list (the last one from then on)."""
    bodies: list[bytes] = []

    async def handle(request: web.Request) -> web.Response:
        body = bodies.pop(0) if len(bodies) > 1 else bodies[0]
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/ngsi-ld/v1/entities", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/")), bodies
    await server.close()


async def test_an_adapter_answers_the_same_whether_the_bytes_were_seen_or_not(
    broker: tuple[str, list[bytes]],
) -> None:
    url, bodies = broker
    seen = orjson.dumps([entity(1), entity(2)])
    changed = orjson.dumps([entity(9), entity(2)])
    bodies.extend([seen, seen, changed])
    adapter = NgsiLdAdapter({"url": url}, AdapterContext(city_id="memo", logger=LOG))
    try:
        answers = [await adapter.fetch_entities(SourceQuery("WeatherObserved")) for _ in range(3)]
    finally:
        await adapter.aclose()
    temperatures = [[e.attributes["temperature"] for e in a.entities] for a in answers]
    assert temperatures == [[1, 2], [1, 2], [9, 2]]
    assert answers[1].entities[0] is answers[0].entities[0]  # reused, not mapped again
    assert answers[2].entities[1] is not answers[0].entities[1]
