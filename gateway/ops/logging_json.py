"""Log records as JSON lines, each with the request id of the request that logged it.

``CAAP_LOG_FORMAT`` picks ``json`` or ``text``; unset: JSON unless stderr is a
terminal. Extra fields go in ``extra={"fields": {...}}``.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from gateway.http.request_id import current_request_id
from gateway.ops.log_batch import handler_config

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, fields, error."""

    _time: tuple[float, str] = (-1.0, "")
    """The last record's ``created`` and its text: the lines of a replayed answer share it."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time_text(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id is not None:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()

    def lines(
        self,
        logger: str,
        level: str,
        messages: Sequence[str],
        fields: Mapping[str, Any] | None = None,
    ) -> str:
        """The lines ``format`` gives records of ``messages`` logged now (each ending in a
        newline), without building the records (``log_batch.direct``); ``fields`` must not
        repeat the record's own keys."""
        head = (
            f'{{"time":"{self._time_text(time.time())}","level":"{level}",'
            f'"logger":{orjson.dumps(logger).decode()},"message":'
        )
        tail = ""
        request_id = current_request_id()
        if request_id is not None:
            tail = ',"request_id":' + orjson.dumps(request_id).decode()
        if fields:
            tail += "," + orjson.dumps(fields, default=str).decode()[1:-1]
        tail += "}\n"
        return "".join([head + orjson.dumps(m).decode() + tail for m in messages])

    def _time_text(self, created: float) -> str:
        at, text = self._time
        if created != at:
            text = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
            self._time = (created, text)
        return text


def log_format(setting: str | None) -> str:
    """``json`` or ``text``: the setting when given, else JSON unless stderr is a terminal."""
    if setting in ("json", "text"):
        return setting
    return "text" if sys.stderr.isatty() else "json"


def dict_config(level: str, fmt: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the gateway and uvicorn (also used by workers)."""
    formatter: dict[str, Any] = (
        {"()": "gateway.ops.logging_json.JsonFormatter"}
        if fmt == "json"
        else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"caap": formatter},
        "handlers": {
            "stderr": handler_config(formatter="caap", stream="ext://sys.stderr"),
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }
