"""Log lines held in a batch: written together when it ends, in order and unchanged."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from gateway.ops.log_batch import StreamHandler, batch
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
