"""Log lines held in a batch: written together when it ends, in order and unchanged."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import orjson
import pytest

from gateway.http.request_id import _current as current_request_id
from gateway.ops.log_batch import StreamHandler, batch, direct, direct_lines_held
from gateway.ops.logging_json import JsonFormatter


class CountingStream(io.StringIO):
    """Counts its writes."""

    writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, CountingStream]]:
    stream = CountingStream()
    handler = StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("caap.test.batch")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_lines_of_a_batch_are_written_at_its_end_in_one_write(
    logged: tuple[logging.Logger, CountingStream],
) -> None:
    logger, stream = logged
    with batch():
        for n in range(3):
            logger.info("line %d", n)
        with batch():  # nested: the outer batch writes
            logger.info("line 3")
        assert stream.getvalue() == ""
    assert stream.writes == 1
    lines = stream.getvalue().splitlines()
    assert [line.split('"message":"')[1].split('"')[0] for line in lines] == [
        f"line {n}" for n in range(4)
    ]


def test_outside_a_batch_each_line_is_written_as_it_comes(
    logged: tuple[logging.Logger, CountingStream],
) -> None:
    logger, stream = logged
    logger.info("one")
    assert stream.getvalue().count("\n") == 1
    logger.info("two")
    assert stream.writes == 2


@pytest.fixture
def alone() -> tuple[logging.Logger, CountingStream]:
    """A logger outside the logging tree (no handler of pytest's on the way)."""
    stream = CountingStream()
    handler = StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.Logger("caap.test.direct", logging.INFO)
    logger.addHandler(handler)
    return logger, stream


def _without_time(text: str) -> list[dict[str, object]]:
    entries = [orjson.loads(line) for line in text.splitlines()]
    for entry in entries:
        assert isinstance(entry.pop("time"), str)
    return entries


def test_direct_lines_are_the_lines_logging_writes_in_one_write(
    alone: tuple[logging.Logger, CountingStream],
) -> None:
    logger, stream = alone
    fields = {"method": "POST", "status": 200, "quote": 'a "b"\n'}
    token = current_request_id.set("req-1")
    try:
        for message in ("plain", '{"json":"inside","ä":"\\"}'):
            logger.info(message, extra={"fields": fields})
        by_logging, writes = stream.getvalue(), stream.writes
        handler = direct(logger, logging.INFO)
        assert handler is not None
        handler.write_direct(logger, logging.INFO, ["plain", '{"json":"inside","ä":"\\"}'], fields)
    finally:
        current_request_id.reset(token)
    assert stream.writes == writes + 1
    assert _without_time(stream.getvalue()[len(by_logging) :]) == _without_time(by_logging)


def test_direct_lines_are_held_inside_a_batch(
    alone: tuple[logging.Logger, CountingStream],
) -> None:
    logger, stream = alone
    handler = direct(logger, logging.INFO)
    assert handler is not None
    with batch():
        logger.info("first")
        handler.write_direct(logger, logging.INFO, ["second", "third"])
        assert stream.getvalue() == ""
    assert [e["message"] for e in _without_time(stream.getvalue())] == ["first", "second", "third"]


def test_logging_runs_when_a_filter_another_handler_or_the_level_is_in_the_way(
    alone: tuple[logging.Logger, CountingStream],
) -> None:
    logger, _ = alone
    assert direct(logger, logging.DEBUG) is None  # not enabled
    quiet = logging.Filter("elsewhere")
    logger.addFilter(quiet)
    assert direct(logger, logging.INFO) is None
    logger.removeFilter(quiet)
    other = logging.StreamHandler(io.StringIO())
    logger.addHandler(other)
    assert direct(logger, logging.INFO) is None
    logger.removeHandler(other)
    child = logging.Logger("caap.test.direct.child", logging.INFO)
    child.parent = logger
    assert direct(child, logging.INFO) is logger.handlers[0]
    child.addHandler(StreamHandler(io.StringIO()))  # two handlers on the way
    assert direct(child, logging.INFO) is None
    text_only = logging.Logger("caap.test.direct.text", logging.INFO)
    text_only.addHandler(StreamHandler(io.StringIO()))  # a formatter without ``lines``
    assert direct(text_only, logging.INFO) is None
    assert direct(logger, logging.INFO) is not None


async def test_direct_lines_of_a_request_are_written_together_at_its_end(
    alone: tuple[logging.Logger, CountingStream],
) -> None:
    logger, stream = alone
    handler = direct(logger, logging.INFO)
    assert handler is not None
    late: list[asyncio.Task[None]] = []

    async def log_later() -> None:
        await asyncio.sleep(0)
        handler.write_direct(logger, logging.INFO, ["after the request"])

    with direct_lines_held():
        handler.write_direct(logger, logging.INFO, ["audit 1", "audit 2"])
        logger.info("a record: written as it comes")
        late.append(asyncio.create_task(log_later()))  # inherits the holding context
        handler.write_direct(logger, logging.INFO, ["access"])
        assert stream.writes == 1
    assert stream.writes == 2
    await late[0]  # the block is over: written at once, not lost
    assert stream.writes == 3
    assert [e["message"] for e in _without_time(stream.getvalue())] == [
        "a record: written as it comes",
        "audit 1",
        "audit 2",
        "access",
        "after the request",
    ]
