"""Log lines written together: the records of one burst (a cached answer's audit lines)
cost one write to stderr instead of one each.

``StreamHandler`` is the handler ``dict_config`` installs; inside ``batch()`` its lines
are held and written, in order and unchanged, when the block ends. Elsewhere (other
handlers, other threads, outside a batch) records are written as they come.

``direct(logger, level)``: on the hot path (a cached answer's audit lines, the access
line) the lines are formatted straight into the text the handler would write, without a
``LogRecord`` each, when the logger's records would reach exactly one ``StreamHandler``
with a formatter that can (``LineFormatter``: the JSON one) and no filter on the way;
otherwise it answers None and the caller logs as usual. Inside ``direct_lines_held()`` (one
HTTP request, ``gateway/http/access_log.py``) such lines wait for the block's end: a
cached answer's audit lines and the access line then cost one write together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, Protocol, cast


class Held(list[tuple["StreamHandler", str]]):
    """Lines held until their block ends; ``open`` no more once it has (a task started
    inside that logs later writes at once)."""

    open = True


_held: ContextVar[Held | None] = ContextVar("caap_held_log_lines", default=None)
_held_direct: ContextVar[Held | None] = ContextVar("caap_held_direct_lines", default=None)


class LineFormatter(Protocol):
    """A formatter that writes records' text without the records (``JsonFormatter``)."""

    def lines(
        self,
        logger: str,
        level: str,
        messages: Sequence[str],
        fields: Mapping[str, Any] | None = None,
    ) -> str:
        """One line per message, now, each as ``format`` would write its record."""
        ...


class StreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """``logging.StreamHandler`` whose lines are held inside ``batch()``."""

    def emit(self, record: logging.LogRecord) -> None:
        held = _held.get()
        if held is None or not held.open:
            super().emit(record)
            return
        try:
            held.append((self, self.format(record) + self.terminator))
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def write_direct(
        self,
        logger: logging.Logger,
        level: int,
        messages: Sequence[str],
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        """Write ``messages`` of ``logger`` at ``level`` as records of them would be written,
        in one write (held inside ``batch()``); the formatter is a ``LineFormatter``."""
        formatter = cast(LineFormatter, self.formatter)
        text = formatter.lines(logger.name, logging.getLevelName(level), messages, fields)
        held = _held.get()
        if held is None or not held.open:
            held = _held_direct.get()
        if held is not None and held.open:
            held.append((self, text))
        else:
            self.write_lines([text])

    def write_lines(self, lines: list[str]) -> None:
        """Write held lines at once (as ``emit`` writes one)."""
        self.acquire()
        try:
            self.stream.write("".join(lines))
            self.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(logging.makeLogRecord({"msg": f"{len(lines)} held log lines"}))
        finally:
            self.release()


@contextmanager
def batch() -> Iterator[None]:
    """Lines of ``StreamHandler`` logged inside are written when the block ends."""
    outer = _held.get()
    if outer is not None and outer.open:  # an outer batch writes them
        yield
        return
    with _holding(_held):
        yield


@contextmanager
def direct_lines_held() -> Iterator[None]:
    """Lines written with ``write_direct`` inside (a request's replayed audit lines and its
    access line) are written together when the block ends; other records as they come."""
    with _holding(_held_direct):
        yield


Holding = tuple["Token[Held | None]", Held]
"""What ``hold_direct_lines`` gives and ``write_held_lines`` takes back."""


def hold_direct_lines() -> Holding:
    """``direct_lines_held()`` entered, as a plain call (the access log's per-request path:
    no generator); ``write_held_lines`` ends it and must follow, in a ``finally``."""
    held = Held()
    return _held_direct.set(held), held


def write_held_lines(holding: Holding) -> None:
    """End ``hold_direct_lines``: its lines are written."""
    token, held = holding
    _held_direct.reset(token)
    _release(held)


@contextmanager
def _holding(var: ContextVar[Held | None]) -> Iterator[None]:
    held = Held()
    token = var.set(held)
    try:
        yield
    finally:
        var.reset(token)
        _release(held)


def _release(held: Held) -> None:
    held.open = False
    if not held:
        return
    first = held[0][0]
    if all(handler is first for handler, _ in held):  # the rule: one handler, one write
        first.write_lines([line for _, line in held])
        return
    by_handler: dict[StreamHandler, list[str]] = {}
    for handler, line in held:
        by_handler.setdefault(handler, []).append(line)
    for handler, texts in by_handler.items():
        handler.write_lines(texts)


def direct(logger: logging.Logger, level: int) -> StreamHandler | None:
    """The one handler records of ``logger`` at ``level`` would reach, when it can be written
    to directly (``StreamHandler.write_direct``); None when logging has to run (another
    handler or a filter on the way, another formatter) or nothing would be written."""
    if not logger.isEnabledFor(level):
        return None
    found: StreamHandler | None = None
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        for handler in current.handlers:
            if (
                found is not None
                or type(handler) is not StreamHandler
                or handler.filters
                or not hasattr(handler.formatter, "lines")
            ):
                return None
            found = handler
        current = current.parent if current.propagate else None
    return found if found is not None and level >= found.level else None


def handler_config(**options: Any) -> dict[str, Any]:
    """The ``dictConfig`` entry of a ``StreamHandler``."""
    return {"class": f"{__name__}.StreamHandler", **options}
