"""The federation as typed, validated objects: what ``federation.yaml`` says once loaded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from gateway.federation.guards import (
    Mode,
    PersistedQueryOptions,
    QueryLimits,
    RateLimitOptions,
    ResponseCacheOptions,
)


@dataclass(frozen=True, slots=True)
class IntrospectionConfig:
    """Where opaque tokens are checked (RFC 7662), and the gateway's credentials there."""

    endpoint: str
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """Where bearer tokens come from (the ``auth`` section)."""

    issuer: str
    audience: str
    jwks_uri: str | None = None
    introspection: IntrospectionConfig | None = None


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """Where access decisions are written: a file of JSON lines, or the ``caap.audit`` logger."""

    file: str | None = None


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a grant is for: everyone (``public``), or callers with a token that meets every
    condition given: a client id among ``clients``, every scope of ``all_scopes`` and at
    least one of ``any_scopes``."""

    public: bool = False
    any_scopes: frozenset[str] = frozenset()
    all_scopes: frozenset[str] = frozenset()
    clients: frozenset[str] = frozenset()


RowOp = Literal["eq", "ne", "lt", "le", "gt", "ge", "in"]


@dataclass(frozen=True, slots=True)
class RowFilter:
    """A row rule: only entities whose ``attribute`` compares as told with ``value``."""

    attribute: str
    op: RowOp
    value: Any
    """A string, number or bool; a tuple of them for ``in``."""


@dataclass(frozen=True, slots=True)
class Rules:
    """What a grant's audience gets of a dataset; the defaults give everything."""

    drop: frozenset[str] = frozenset()
    """Attributes removed (``location`` removes the location)."""
    keep: frozenset[str] | None = None
    """When set, the only attributes shown (``location`` among them to show the location)."""
    coarsen_m: float | None = None
    """Locations snapped to the centre of a grid cell of this many metres."""
    older_than_min: float | None = None
    """Only observations at least this many minutes old."""
    aggregate_only: bool = False
    """Statistics only: no entity ever leaves the gateway."""
    min_group_size: int | None = None
    """Statistics of fewer matching entities than this are withheld (with aggregate_only)."""
    where: tuple[RowFilter, ...] = ()
    """Only entities that satisfy every row filter."""

    def shows(self, attribute: str) -> bool:
        """True when ``attribute`` may appear in what the audience gets."""
        if attribute in self.drop:
            return False
        return self.keep is None or attribute in self.keep


@dataclass(frozen=True, slots=True)
class Grant:
    """One line of a dataset's access list: an audience and the rules it gets."""

    audience: Audience
    rules: Rules = field(default_factory=Rules)


@dataclass(frozen=True, slots=True)
class Access:
    """Who may see a dataset, as an ordered list of grants; the first that matches applies."""

    grants: tuple[Grant, ...]

    @classmethod
    def public_access(cls) -> Access:
        """``access: public``: everyone sees everything."""
        return cls((Grant(Audience(public=True)),))

    @classmethod
    def any_scope(cls, *scopes: str) -> Access:
        """``access: {scopes: [...]}``: a token with any of ``scopes`` sees everything."""
        return cls((Grant(Audience(any_scopes=frozenset(scopes))),))

    @property
    def public(self) -> bool:
        """True when some grant is open to every caller (whatever its rules)."""
        return any(g.audience.public for g in self.grants)


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """How long a city's answer is used (RFC 5861): fresh for ``ttl_s``; then served stale
    while it is refreshed for ``stale_while_revalidate_s``, and while the platform fails
    for ``stale_if_error_s``. All zero: not cached."""

    ttl_s: float = 30.0
    stale_while_revalidate_s: float = 30.0
    stale_if_error_s: float = 300.0


@dataclass(frozen=True, slots=True)
class CacheOverride:
    """A dataset's ``cache`` section: what it sets wins over the platform's Cache-Control
    and the gateway's defaults; None leaves a value to them."""

    ttl_s: float | None = None
    stale_while_revalidate_s: float | None = None
    stale_if_error_s: float | None = None


@dataclass(frozen=True, slots=True)
class DatasetConfig:
    """One dataset (an entity type) a city shares, and on what terms."""

    name: str
    access: Access
    cache: CacheOverride | None = None
    """How long answers are cached, when the file says so for this dataset."""


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
    catalogue: AdapterSpec | None = None
    """The city's open-data catalogue (a catalogue kind: ``dcat-ap-se``, ``ckan``)."""
    max_concurrent: int | None = None
    """The most connections and calls in flight to this city's platform at once (what the
    platform can take); overrides ``max_connections_per_city`` and the bulkhead's
    ``max_concurrent`` for it. Calls beyond it queue (``caap_upstream_queued``)."""


@dataclass(frozen=True, slots=True)
class CacheOptions:
    """``gateway.cache``: the in-process cache's bound and the default lifetimes."""

    max_bytes: int = 256 * 1024 * 1024
    policy: CachePolicy = field(default_factory=CachePolicy)


@dataclass(frozen=True, slots=True)
class ResilienceOptions:
    """``gateway.resilience``: retries, circuit breaker, bulkhead, answer size, per city."""

    retries: int = 2
    """Extra attempts after a transient failure (no connection, 429, 502-504)."""
    retry_budget: float = 0.2
    """Retries as a share of calls, on top of a small reserve."""
    backoff_s: float = 0.05
    max_backoff_s: float = 1.0
    breaker_failure_ratio: float = 0.5
    breaker_min_calls: int = 5
    breaker_window_s: float = 30.0
    breaker_open_s: float = 15.0
    max_concurrent: int = 8
    """Calls to one city at once (the bulkhead)."""
    max_waiting: int = 64
    """Calls queued for one city before more are refused."""
    max_response_bytes: int = 32 * 1024 * 1024
    max_retry_after_s: float = 300.0
    """The longest a platform's ``Retry-After`` keeps the gateway from asking it."""


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
    """Connections open to one city's platform at once (a city's ``max_concurrent`` wins)."""
    cache: CacheOptions = field(default_factory=CacheOptions)
    resilience: ResilienceOptions = field(default_factory=ResilienceOptions)
    mode: Mode = "production"
    """production: introspection and field suggestions only for callers with a token."""
    limits: QueryLimits = field(default_factory=QueryLimits)
    rate_limit: RateLimitOptions = field(default_factory=RateLimitOptions)
    response_cache: ResponseCacheOptions = field(default_factory=ResponseCacheOptions)
    persisted_queries: PersistedQueryOptions = field(default_factory=PersistedQueryOptions)


@dataclass(frozen=True, slots=True)
class Federation:
    """The whole federation file, validated."""

    cities: Mapping[str, CityConfig]
    auth: AuthConfig | None = None
    options: GatewayOptions = field(default_factory=GatewayOptions)
    audit: AuditConfig = field(default_factory=AuditConfig)
    source: str = "federation.yaml"
    """The file it came from, for messages."""

    def timeout_for(self, city_id: str) -> float:
        """The per-city timeout in seconds."""
        own = self.cities[city_id].timeout_s
        return own if own is not None else self.options.timeout_s

    def connections_for(self, city_id: str) -> int:
        """The most connections open to the city's platform at once."""
        own = self.cities[city_id].max_concurrent
        return own if own is not None else self.options.max_connections_per_city

    def calls_for(self, city_id: str) -> int:
        """The most calls in flight to the city at once (its bulkhead); more queue."""
        own = self.cities[city_id].max_concurrent
        return own if own is not None else self.options.resilience.max_concurrent

    def cache_override(self, city_id: str, dataset: str) -> CacheOverride | None:
        """The ``cache`` section of a city's dataset, if the file has one."""
        config = self.cities[city_id].datasets.get(dataset)
        return config.cache if config is not None else None
