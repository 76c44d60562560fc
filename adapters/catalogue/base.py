"""What both catalogue adapters share: config, one lazily built session, idempotent close."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import aiohttp

from adapters.catalogue.config import CatalogueConfig, validate_config
from adapters.contract import (
    AdapterContext,
    Capabilities,
    CatalogueQuery,
    CatalogueResult,
    SourceQuery,
    SourceResult,
)
from adapters.errors import UnsupportedQuery, UpstreamUnavailable
from adapters.http import new_session


class CatalogueBase:
    """A catalogue adapter; subclasses set ``kind`` and implement ``fetch_datasets``."""

    kind: ClassVar[str]
    accept: ClassVar[str] = "application/json"

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        self.config: CatalogueConfig = validate_config(config, self.kind)
        self._context = context
        self._log = context.logger
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> CatalogueConfig:
        """Check a ``catalogue`` section; raise ``ConfigError`` naming the key."""
        return validate_config(config, cls.kind)

    @property
    def capabilities(self) -> Capabilities:
        """A catalogue serves no entities."""
        return Capabilities(entity_types=frozenset())

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        """A catalogue lists datasets, not entities."""
        raise UnsupportedQuery(f"{self.kind} is a catalogue: it lists datasets, not entities")

    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        """Answer one catalogue query."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the HTTP session; later calls do nothing."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def session(self) -> aiohttp.ClientSession:
        """The session, built on first use inside the running loop."""
        if self._closed:
            raise UpstreamUnavailable("the adapter has been closed")
        if self._session is None:
            headers = {"Accept": self.accept, **self.config.headers}
            self._session = new_session(self._context, headers)
        return self._session
