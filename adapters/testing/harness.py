"""``Harness``: builds adapters for one conformance check, watches their logs, closes them.

Each check runs in its own event loop (``asyncio.run``), so the kit works under
any pytest-asyncio mode, or without pytest-asyncio at all.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from adapters.contract import Adapter, AdapterContext, AdapterFactory

_IDS = itertools.count(1)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Harness:
    """Adapters of one class, each with a fresh context whose logger is recorded."""

    def __init__(
        self,
        factory: AdapterFactory,
        config_for: Callable[[str], Mapping[str, Any]],
        secrets: tuple[str, ...],
    ) -> None:
        self.factory = factory
        self.config_for = config_for
        self.secrets = tuple(s for s in secrets if s)
        self.logger = logging.getLogger(f"caap.conformance.{next(_IDS)}")
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False
        self._records = _Records()
        self.logger.addHandler(self._records)
        self._made: list[Adapter] = []

    def context(self, *, timeout_s: float = 10.0, city_id: str = "conformance") -> AdapterContext:
        """A context as the gateway builds one."""
        return AdapterContext(city_id=city_id, logger=self.logger, timeout_s=timeout_s)

    def make(
        self, url: str, *, timeout_s: float = 10.0, options: Mapping[str, Any] | None = None
    ) -> Adapter:
        """An adapter for the platform at ``url``; closed when the check ends."""
        config = dict(options) if options is not None else dict(self.config_for(url))
        adapter = self.factory(config, self.context(timeout_s=timeout_s))
        self._made.append(adapter)
        return adapter

    async def close(self) -> None:
        """Close every adapter made (once more: ``aclose`` must be idempotent)."""
        for adapter in self._made:
            await adapter.aclose()

    def leaked(self) -> list[str]:
        """Log messages that contain a secret."""
        out = []
        for record in self._records.records:
            text = record.getMessage() + (record.exc_text or "")
            if any(secret in text for secret in self.secrets):
                out.append(f"{record.levelname} {record.name}: {text[:200]}")
        return out

    def detach(self) -> None:
        """Stop recording (the logger stays, unused)."""
        self.logger.removeHandler(self._records)


def run_check(
    factory: AdapterFactory,
    config_for: Callable[[str], Mapping[str, Any]],
    secrets: tuple[str, ...],
    check: Callable[[Harness], Awaitable[None]],
) -> None:
    """Run ``check`` in a new event loop; afterwards no adapter may have logged a secret."""

    async def main() -> list[str]:
        harness = Harness(factory, config_for, secrets)
        try:
            await check(harness)
        finally:
            await harness.close()
            harness.detach()
        return harness.leaked()

    leaked = asyncio.run(main())
    assert not leaked, "an adapter logged a secret:\n" + "\n".join(leaked)
