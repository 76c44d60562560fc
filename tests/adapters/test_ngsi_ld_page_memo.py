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
from adapters.ngsi_ld.page_memo import PageMemo, body_digest
from tests.adapters.test_ngsi_ld_adapter import entity

LOG = logging.getLogger("test.page_memo")


def entities(*ids: str) -> list[SourceEntity]:
    return [SourceEntity(i, "T", None, None, {}) for i in ids]


class Mapper:
    """Counts the pages it maps."""

    def __init__(self, result: list[SourceEntity]) -> None:
        self.result = result
        self.calls = 0

    def __call__(self) -> list[SourceEntity]:
        self.calls += 1
        return self.result


def test_the_same_bytes_with_the_same_parameters_are_mapped_once() -> None:
    memo, mapper = PageMemo(), Mapper(entities("a", "b"))
    digest = body_digest(b"[1, 2]")
    first = memo.mapped(digest, ("ctx", None), 6, mapper)
    again = memo.mapped(body_digest(b"[1, 2]"), ("ctx", None), 6, mapper)
    assert (list(first), mapper.calls) == (entities("a", "b"), 1)
    assert again is first


def test_other_bytes_or_other_parameters_are_mapped_anew() -> None:
    memo, mapper = PageMemo(), Mapper(entities("a"))
    memo.mapped(body_digest(b"[1]"), ("ctx", None), 3, mapper)
    memo.mapped(body_digest(b"[2]"), ("ctx", None), 3, mapper)
    memo.mapped(body_digest(b"[1]"), ("ctx", frozenset({"temperature"})), 3, mapper)
    memo.mapped(None, ("ctx", None), 3, mapper)
    memo.mapped(None, ("ctx", None), 3, mapper)
    assert mapper.calls == 5


def test_a_mapping_error_keeps_nothing() -> None:
    memo = PageMemo()

    def broken() -> list[SourceEntity]:
        raise UpstreamProtocolError("entity #0 has no string 'id'")

    digest = body_digest(b"[{}]")
    for _ in range(2):
        with pytest.raises(UpstreamProtocolError):
            memo.mapped(digest, "p", 4, broken)


def test_memory_is_bounded_by_the_bytes_of_the_answers_held() -> None:
    memo, mapper = PageMemo(max_body_bytes=400), Mapper(entities("a"))
    for n in range(5):  # 5 x 100 bytes: the oldest is dropped
        memo.mapped(body_digest(bytes([n])), "p", 100, mapper)
    memo.mapped(body_digest(bytes([4])), "p", 100, mapper)
    assert mapper.calls == 5
    memo.mapped(body_digest(bytes([0])), "p", 100, mapper)
    assert mapper.calls == 6
    big = Mapper(entities("b"))  # more than a quarter of the bound: never kept
    memo.mapped(body_digest(b"big"), "p", 101, big)
    memo.mapped(body_digest(b"big"), "p", 101, big)
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
