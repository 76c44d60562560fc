"""What both catalogue adapters share: config, the HTTP client (``adapters.sdk.PlatformClient``),
idempotent close."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from adapters.catalogue.config import CatalogueConfig, validate_config
from adapters.contract import (
    AdapterContext,
    Capabilities,
    CatalogueQuery,
    CatalogueResult,
    SourceQuery,
    SourceResult,
)
from adapters.errors import UnsupportedQuery
from adapters.sdk.client import PlatformClient


class CatalogueBase:
    """A catalogue adapter; subclasses set ``kind`` and implement ``fetch_datasets``."""

    kind: ClassVar[str]
    accept: ClassVar[str] = "application/json"
    peer: ClassVar[str] = "the catalogue"

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        self.config: CatalogueConfig = validate_config(config, self.kind)
        self._log = context.logger
        self.client = PlatformClient(
            context,
            self.config.url,
            headers={"Accept": self.accept, **self.config.headers},
            secrets=self.config.headers.values(),
            peer=self.peer,
        )
        """Requests to the catalogue: same origin only, typed errors, secrets blanked."""

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
        """Close the HTTP session; later calls do nothing, later queries are refused."""
        await self.client.aclose()
