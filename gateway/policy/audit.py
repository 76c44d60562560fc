"""The audit log: one JSON line per access decision, never a token.

A line holds the time (UTC), the client id, a SHA-256 hash of the subject, the
city, the dataset, what was asked (rows, or statistics of an attribute), the
decision and its reason. The sink is a file of JSON lines (``audit.file`` in
the federation file) or, by default, the ``caap.audit`` logger.

A line is serialised in two parts: who and when (``_head``), and the decision
(``decision_text``, kept with a cached answer so that replaying it for each
caller it serves costs a string join, not a serialisation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import orjson

from gateway.auth.principal import Principal
from gateway.federation.model import AuditConfig
from gateway.ops.log_batch import batch, direct
from gateway.policy.decisions import Decision

LOGGER = "caap.audit"
Clock = Callable[[], datetime]
WriteMany = Callable[[Sequence[str]], None]


def decision_text(city_id: str, dataset: str, decision: Decision, statistic: str | None) -> str:
    """The decision's members of an audit line, serialised: ``"city":...,"reason":...}``."""
    entry = {
        "city": city_id,
        "dataset": dataset,
        "asked": "rows" if statistic is None else f"statistics:{statistic}",
        "decision": "allow" if decision.allowed else "deny",
        "reason": decision.reason,
    }
    return orjson.dumps(entry).decode("utf-8")[1:]


class AuditLog:
    """Writes decisions to one sink; ``close`` releases a file sink.

    ``write_many`` writes several lines at once (one call per line otherwise).
    """

    def __init__(
        self,
        write: Callable[[str], None],
        clock: Clock | None = None,
        file: IO[str] | None = None,
        *,
        write_many: WriteMany | None = None,
    ) -> None:
        self._write = write
        self._write_many = write_many
        self._clock = clock or (lambda: datetime.now(UTC))
        self._file = file

    @classmethod
    def open(cls, config: AuditConfig) -> AuditLog:
        """The sink ``config`` names: the file (appended, one line per write) or the logger."""
        if config.file is None:
            logger = logging.getLogger(LOGGER)
            return cls(logger.info, write_many=_records_of(logger))
        path = Path(config.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a", encoding="utf-8", buffering=1)

        def write(line: str) -> None:
            handle.write(line + "\n")

        def write_many(lines: Sequence[str]) -> None:
            handle.write("".join(line + "\n" for line in lines))

        return cls(write, file=handle, write_many=write_many)

    def record(
        self,
        principal: Principal,
        city_id: str,
        dataset: str,
        decision: Decision,
        statistic: str | None = None,
    ) -> None:
        """One line for one decision."""
        self._write(self._head(principal) + decision_text(city_id, dataset, decision, statistic))

    def replay(self, principal: Principal, decisions: Sequence[str]) -> None:
        """One line per decision (each a ``decision_text``), all for ``principal`` and now."""
        if not decisions:
            return
        head = self._head(principal)
        lines = [head + text for text in decisions]
        if self._write_many is not None:
            self._write_many(lines)
        else:
            for line in lines:
                self._write(line)

    def close(self) -> None:
        """Close a file sink; safe to call more than once."""
        if self._file is not None and not self._file.closed:
            self._file.close()

    def _head(self, principal: Principal) -> str:
        """``{"time":...,"client_id":...,"subject_sha256":...,`` for a ``decision_text``."""
        entry = {
            "time": self._clock().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "client_id": principal.client_id,
            "subject_sha256": principal.subject_hash,
        }
        return orjson.dumps(entry).decode("utf-8")[:-1] + ","


def _records_of(logger: logging.Logger) -> WriteMany:
    """Several lines as INFO records of ``logger``, one per line, as ``logger.info`` makes
    them, in one write: formatted straight into the handler's text when it allows
    (``log_batch.direct``), else the caller is looked up and a record built once for all."""

    def write_many(lines: Sequence[str]) -> None:
        handler = direct(logger, logging.INFO)
        if handler is not None:
            handler.write_direct(logger, logging.INFO, lines)
            return
        if not logger.isEnabledFor(logging.INFO):
            return
        fn, lno, func, sinfo = logger.findCaller()
        template = logger.makeRecord(
            logger.name, logging.INFO, fn, lno, "", (), None, func, sinfo=sinfo
        )
        kind = type(template)
        with batch():
            for line in lines:
                record = kind.__new__(kind)
                record.__dict__.update(template.__dict__)
                record.msg = line
                logger.handle(record)

    return write_many
