"""The federation as typed, validated objects: what ``federation.yaml`` says once loaded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """Where bearer tokens come from (the ``auth`` section)."""

    issuer: str
    audience: str
    jwks_uri: str | None = None


@dataclass(frozen=True, slots=True)
class Access:
    """Who may see a dataset. ``public``: everyone; otherwise a token with any of ``scopes``."""

    public: bool
    scopes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DatasetConfig:
    """One dataset (an entity type) a city shares, and on what terms."""

    name: str
    access: Access


@dataclass(frozen=True, slots=True)
class AdapterSpec:
    """A city's ``adapter`` section: its kind, the raw options and the adapter's typed config."""

    kind: str
    options: Mapping[str, Any]
    """The section after ``${ENV}`` interpolation, without ``kind``."""
    config: object
    """What the adapter class's ``validate_config`` returned for ``options``."""


@dataclass(frozen=True, slots=True)
class CityConfig:
    """One municipality: its identity, its platform and what it shares."""

    id: str
    name: str
    kommunkod: str
    adapter: AdapterSpec
    datasets: Mapping[str, DatasetConfig]
    timeout_s: float | None = None
    """Overrides ``GatewayOptions.timeout_s`` for this city."""


@dataclass(frozen=True, slots=True)
class GatewayOptions:
    """Federation-wide knobs (the optional ``gateway`` section)."""

    timeout_s: float = 5.0
    """Per-city budget for one upstream query."""
    deadline_s: float = 10.0
    """Budget for a whole GraphQL request across all cities."""
    default_page_size: int = 100
    max_page_size: int = 1000
    max_entities_per_city: int = 10_000
    """The most entities fetched from one city for one query (a guard, reported when hit)."""
    max_connections_per_city: int = 8


@dataclass(frozen=True, slots=True)
class Federation:
    """The whole federation file, validated."""

    cities: Mapping[str, CityConfig]
    auth: AuthConfig | None = None
    options: GatewayOptions = field(default_factory=GatewayOptions)
    source: str = "federation.yaml"
    """The file it came from, for messages."""

    def timeout_for(self, city_id: str) -> float:
        """The per-city timeout in seconds."""
        own = self.cities[city_id].timeout_s
        return own if own is not None else self.options.timeout_s
