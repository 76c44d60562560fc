"""The audit log: one JSON line per access decision, never a token.

A line holds the time (UTC), the client id, a SHA-256 hash of the subject, the
city, the dataset, what was asked (rows, or statistics of an attribute), the
decision and its reason. The sink is a file of JSON lines (``audit.file`` in
the federation file) or, by default, the ``caap.audit`` logger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import orjson

from gateway.federation.model import AuditConfig
from gateway.policy import Decision
from gateway.principal import Principal

LOGGER = "caap.audit"
Clock = Callable[[], datetime]


class AuditLog:
    """Writes decisions to one sink; ``close`` releases a file sink."""

    def __init__(
        self, write: Callable[[str], None], clock: Clock | None = None, file: IO[str] | None = None
    ) -> None:
        self._write = write
        self._clock = clock or (lambda: datetime.now(UTC))
        self._file = file

    @classmethod
    def open(cls, config: AuditConfig) -> AuditLog:
        """The sink ``config`` names: the file (appended, one line per write) or the logger."""
        if config.file is None:
            logger = logging.getLogger(LOGGER)
            return cls(logger.info)
        path = Path(config.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a", encoding="utf-8", buffering=1)

        def write(line: str) -> None:
            handle.write(line + "\n")

        return cls(write, file=handle)

    def record(
        self,
        principal: Principal,
        city_id: str,
        dataset: str,
        decision: Decision,
        statistic: str | None = None,
    ) -> None:
        """One line for one decision."""
        entry = {
            "time": self._clock().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "client_id": principal.client_id,
            "subject_sha256": principal.subject_hash,
            "city": city_id,
            "dataset": dataset,
            "asked": "rows" if statistic is None else f"statistics:{statistic}",
            "decision": "allow" if decision.allowed else "deny",
            "reason": decision.reason,
        }
        self._write(orjson.dumps(entry).decode("utf-8"))

    def close(self) -> None:
        """Close a file sink; safe to call more than once."""
        if self._file is not None and not self._file.closed:
            self._file.close()
