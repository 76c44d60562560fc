"""The adapter contract: what the gateway asks of a city platform, and what it gets back.

An adapter speaks one platform protocol (NGSI-LD, SensorThings, ...) and maps the
platform's answer onto the common model below. The gateway never sees the
protocol; the adapter never sees the gateway. See docs/adr/0001-adapter-contract.md.

Lifecycle: the registry calls the adapter class with ``(config, context)`` once
per city when the federation is loaded (config validated then, not on the first
request); the gateway calls ``fetch_entities`` concurrently and ``aclose`` once
on shutdown (``aclose`` must be idempotent).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Protocol, runtime_checkable

import aiohttp

from adapters.budget import AnswerBudget

JSONValue = Any
"""A value that orjson can serialise: None, bool, int, float, str, list, dict."""


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 position in decimal degrees."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Near:
    """Entities within ``max_distance_m`` metres (great-circle) of ``point``."""

    point: GeoPoint
    max_distance_m: float


@dataclass(frozen=True, slots=True)
class BBox:
    """A WGS84 bounding box; edges are inclusive."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float


class Comparison(enum.Enum):
    """How a ``Condition`` compares an attribute with its value (issue 14, ADR 0018)."""

    EQ = "eq"
    """Equal (numbers compare as numbers: 1 equals 1.0)."""
    NE = "ne"
    """Not equal; an entity without the attribute does not match."""
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    """Order comparisons: numbers with numbers, strings with strings (an ISO 8601
    date-time compares as a string); any other pair does not match."""
    IN = "in"
    """``value`` is a list; the attribute equals one of its members."""
    EXISTS = "exists"
    """``value`` is a bool: the attribute is present (and not null) or absent."""
    CONTAINS = "contains"
    """``value`` is a string found, case-insensitively, in the attribute's string value."""


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition on one attribute (in Smart Data Models names and units) of an entity.

    A ``SourceQuery``'s conditions are combined with AND. What each comparison means
    is defined once, in ``adapters.sdk.conditions``; the gateway applies every
    condition itself afterwards, so pushing one down only saves traffic.
    """

    attribute: str
    op: Comparison
    value: JSONValue = None


@dataclass(frozen=True, slots=True)
class SourceQuery:
    """One question to one city's platform, with everything that can be pushed down.

    ``attrs`` of None means all attributes. ``observed_after`` / ``observed_before``
    are timezone-aware and bound ``observed_at`` (after: inclusive, before: exclusive).
    ``limit`` is the most entities the gateway wants in this result; the adapter
    follows the platform's paging until it has that many or the platform has no more.
    """

    entity_type: str
    attrs: tuple[str, ...] | None = None
    near: Near | None = None
    within: BBox | None = None
    observed_after: datetime | None = None
    observed_before: datetime | None = None
    limit: int = 100
    offset: int = 0
    where: tuple[Condition, ...] = ()
    """Conditions on attribute values, combined with AND (``Capabilities.filters``
    "where" when the adapter pushes some or all of them down)."""


NO_DATASETS: Mapping[str, Any] = MappingProxyType({})
"""The shared empty ``datasets`` of an entity (most have none; nothing is allocated)."""


@dataclass(frozen=True, slots=True)
class SourceEntity:
    """One entity in the common model.

    ``id`` is the platform's id; ``observed_at`` is timezone-aware UTC;
    ``attributes`` are plain values (the NGSI-LD keyValues form) named and in the
    units of the Smart Data Models, without ``id``, ``type`` and ``location``.
    """

    id: str
    type: str
    location: GeoPoint | None
    observed_at: datetime | None
    attributes: Mapping[str, JSONValue]
    datasets: Mapping[str, Mapping[str, JSONValue]] = field(default_factory=lambda: NO_DATASETS)
    """Attributes the platform holds several instances of (NGSI-LD ``datasetId``):
    attribute -> dataset id -> value, every instance with an id. ``attributes`` holds
    the default instance (the one without an id; none: the first). See ADR 0010."""


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What one city answered to one SourceQuery.

    ``total_count`` is the number of matching entities on the platform when the
    platform reports it (None otherwise); ``truncated`` is True when more matched
    than ``limit`` allowed the adapter to fetch.
    """

    entities: Sequence[SourceEntity]
    total_count: int | None = None
    truncated: bool = False
    cache_control: str | None = None
    """The platform's ``Cache-Control`` for this answer (of its first page), if it sent one;
    the gateway's cache reads ``max-age``, ``no-store``, ``stale-while-revalidate`` and
    ``stale-if-error`` from it."""
    validator: str | None = None
    """An opaque token for ``Revalidating.revalidate`` (e.g. the pages' ETags); None when
    the platform gave nothing to revalidate with."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What an adapter pushes down to its platform.

    The gateway applies every filter itself afterwards as well, so results are
    the same either way; capabilities only decide how much travels over the wire.
    """

    filters: frozenset[str] = frozenset()
    """Any of "attrs", "near", "within", "time", "where"."""
    paging: bool = False
    """The platform pages (limit/offset or next links) and the adapter follows."""
    entity_types: frozenset[str] | None = None
    """Entity types the platform can serve; None: ask and see."""


@dataclass(frozen=True, slots=True)
class AdapterContext:
    """What the gateway hands every adapter instance: who it serves and its tools."""

    city_id: str
    logger: logging.Logger
    timeout_s: float = 5.0
    """Per-request budget the gateway will enforce; adapters may use it for their client."""
    max_connections: int = 8
    """Upper bound on concurrent connections to this city's platform."""
    user_agent: str = "caap-gateway"
    trace_configs: tuple[aiohttp.TraceConfig, ...] = ()
    """aiohttp hooks the gateway attaches to every HTTP request (metrics, request ids);
    build sessions with ``adapters.http.new_session`` so they are applied."""
    max_response_bytes: int = 32 * 1024 * 1024
    """The largest answer body the adapter reads; a larger one is an ``UpstreamProtocolError``."""
    answer_budget: AnswerBudget | None = None
    """The memory budget every adapter of the gateway reads answers against
    (``adapters.budget``; ``PlatformClient`` uses it); None: only ``max_response_bytes``."""
    clock: Callable[[], float] = time.monotonic
    """Monotonic seconds, for lifetimes the adapter keeps (access tokens); a test's clock
    moves them without sleeping."""
    extra: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Adapter(Protocol):
    """One city's platform, spoken to in its own protocol."""

    kind: ClassVar[str]
    """The registry name, e.g. ``"ngsi-ld"``."""

    @property
    def capabilities(self) -> Capabilities:
        """What this instance pushes down."""
        ...

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        """Answer one query, or raise an ``adapters.errors.AdapterError``."""
        ...

    async def aclose(self) -> None:
        """Release connections; safe to call more than once."""
        ...


@runtime_checkable
class Revalidating(Protocol):
    """An adapter that can ask its platform whether an earlier answer still holds
    (conditional requests: ``If-None-Match`` with the ETags in ``SourceResult.validator``)."""

    async def revalidate(self, query: SourceQuery, validator: str) -> SourceResult | None:
        """None when the answer that carried ``validator`` is unchanged; else a fresh answer."""
        ...


class AdapterFactory(Protocol):
    """A class (or callable) the registry calls to build an adapter for one city.

    ``validate_config`` is called when the federation file is loaded and raises
    ``adapters.errors.ConfigError`` naming the offending key.
    """

    kind: ClassVar[str]

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> object:
        """Check the adapter section of the federation file and return a typed config."""
        ...

    def __call__(self, config: Mapping[str, Any], context: AdapterContext) -> Adapter:
        """Build an adapter for one city."""
        ...


# --- Catalogues and history (ADR 0004) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogueQuery:
    """One question to one city's open-data catalogue.

    ``search``: every whitespace-separated word must occur (case-insensitively) in
    the title, the description or a keyword; None means every dataset. ``limit``
    is the most datasets the gateway wants; the adapter follows the catalogue's
    paging until it has that many or the catalogue has no more.
    """

    search: str | None = None
    limit: int = 1000

    def matches(self, dataset: CatalogueDataset) -> bool:
        """True when ``dataset`` has every word of ``search`` (always, without a search)."""
        if self.search is None:
            return True
        text = " ".join((dataset.title, dataset.description or "", *dataset.keywords))
        folded = text.casefold()
        return all(word in folded for word in self.search.casefold().split())


@dataclass(frozen=True, slots=True)
class CatalogueDistribution:
    """One way to get a dataset (``dcat:Distribution``, a CKAN resource)."""

    access_url: str | None
    format: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogueDataset:
    """One dataset of a catalogue: ``id`` is its IRI (DCAT) or id (CKAN)."""

    id: str
    title: str
    description: str | None = None
    distributions: tuple[CatalogueDistribution, ...] = ()
    keywords: tuple[str, ...] = ()
    publisher: str | None = None
    modified: str | None = None
    """ISO 8601 date or date-time, as the catalogue gives it."""


@dataclass(frozen=True, slots=True)
class CatalogueResult:
    """What one catalogue answered; ``truncated``: more matched than ``limit``."""

    datasets: Sequence[CatalogueDataset]
    total_count: int | None = None
    truncated: bool = False


@runtime_checkable
class CatalogueAdapter(Protocol):
    """One city's open-data catalogue (DCAT-AP-SE, CKAN), spoken to in its own protocol.

    Catalogue kinds register in the same entry-point group as entity adapters
    (``caap.adapters``); their ``fetch_entities`` raises ``UnsupportedQuery``.
    """

    kind: ClassVar[str]

    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        """Answer one catalogue query, or raise an ``adapters.errors.AdapterError``."""
        ...

    async def aclose(self) -> None:
        """Release connections; safe to call more than once."""
        ...


AGGREGATE_METHODS = ("avg", "min", "max", "sum", "totalCount")
"""Aggregations a history query may ask for (names of GS CIM 009 ``aggrMethods``)."""


@dataclass(frozen=True, slots=True)
class Aggregation:
    """Aggregate each attribute's values by ``method`` over periods of ``period_s`` seconds.

    ``period_s`` None: one period spanning the whole time window.
    """

    method: str
    period_s: float | None = None


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """The past values of entities of one type, between ``after`` (inclusive) and ``before``.

    ``entity_id`` narrows to one entity; ``attrs`` None means every attribute that
    has a history. ``last_n`` keeps the most recent N values per attribute.
    ``limit`` bounds the number of entities.
    """

    entity_type: str
    after: datetime
    before: datetime
    entity_id: str | None = None
    attrs: tuple[str, ...] | None = None
    last_n: int | None = None
    aggregation: Aggregation | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One value at one moment (UTC); an aggregate's period runs from ``at`` to ``until``."""

    at: datetime
    value: JSONValue
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class EntityHistory:
    """One entity's attributes over time, each series oldest first."""

    id: str
    type: str
    series: Mapping[str, Sequence[HistoryPoint]]
    datasets: Mapping[str, Mapping[str, Sequence[HistoryPoint]]] = field(
        default_factory=lambda: NO_DATASETS
    )
    """Attributes with several datasets (NGSI-LD ``datasetId``): attribute -> dataset id
    -> its own series, every dataset with an id. ``series`` holds the default dataset
    (the one without an id; none: the first). See ADR 0010."""


@dataclass(frozen=True, slots=True)
class HistoryResult:
    """What one city answered to one HistoryQuery."""

    entities: Sequence[EntityHistory]
    truncated: bool = False


@runtime_checkable
class HistoryAdapter(Protocol):
    """An adapter whose platform keeps history (e.g. the NGSI-LD temporal API)."""

    async def fetch_history(self, query: HistoryQuery) -> HistoryResult:
        """Answer one history query, or raise an ``adapters.errors.AdapterError``."""
        ...
