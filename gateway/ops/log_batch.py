"""Log lines written together: the records of one burst (a cached answer's audit lines)
cost one write to stderr instead of one each.

``StreamHandler`` is the handler ``dict_config`` installs; inside ``batch()`` its lines
are held and written, in order and unchanged, when the block ends. Elsewhere (other
handlers, other threads, outside a batch) records are written as they come.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

Held = list[tuple["StreamHandler", str]]
_held: ContextVar[Held | None] = ContextVar("caap_held_log_lines", default=None)


class StreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """``logging.StreamHandler`` whose lines are held inside ``batch()``."""

    def emit(self, record: logging.LogRecord) -> None:
        held = _held.get()
        if held is None:
            super().emit(record)
            return
        try:
            held.append((self, self.format(record) + self.terminator))
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

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
    if _held.get() is not None:  # an outer batch writes them
        yield
        return
    held: Held = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        by_handler: dict[StreamHandler, list[str]] = {}
        for handler, line in held:
            by_handler.setdefault(handler, []).append(line)
        for handler, lines in by_handler.items():
            handler.write_lines(lines)


def handler_config(**options: Any) -> dict[str, Any]:
    """The ``dictConfig`` entry of a ``StreamHandler``."""
    return {"class": f"{__name__}.StreamHandler", **options}
