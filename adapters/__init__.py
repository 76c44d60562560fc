"""Adapters: one per platform kind, behind one contract (``adapters.contract``).

This package must not import ``gateway``: a city can write an adapter without it.

The names below are the public surface a city's adapter may import from
``adapters`` (the contract, its errors, and ``representative_point``); the
toolkit is ``adapters.sdk``, the conformance kit ``adapters.testing``, upstream
credentials ``adapters.credentials``. docs/adapter-public-surface.md lists them
all; tests/adapters/test_public_surface.py pins them.
"""

from adapters.budget import AnswerBudget, AnswerBudgetSpent
from adapters.contract import (
    AGGREGATE_METHODS,
    Adapter,
    AdapterContext,
    AdapterFactory,
    Aggregation,
    BBox,
    Capabilities,
    CatalogueAdapter,
    CatalogueDataset,
    CatalogueDistribution,
    CatalogueQuery,
    CatalogueResult,
    Comparison,
    Condition,
    EntityHistory,
    GeoPoint,
    HistoryAdapter,
    HistoryPoint,
    HistoryQuery,
    HistoryResult,
    JSONValue,
    Near,
    Revalidating,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.discovery import (
    AttributeInfo,
    Discovering,
    DiscoveryQuery,
    DiscoveryResult,
    TypeInfo,
)
from adapters.errors import (
    AdapterError,
    ConfigError,
    UnsupportedQuery,
    UpstreamAuthError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.lookup import Lookup, LookupQuery
from adapters.sdk.geojson import representative_point
from adapters.streaming import CallbackHost, NotificationInbox, Streaming, StreamQuery

__all__ = [
    "AGGREGATE_METHODS",
    "Adapter",
    "AdapterContext",
    "AdapterError",
    "AdapterFactory",
    "Aggregation",
    "AnswerBudget",
    "AnswerBudgetSpent",
    "AttributeInfo",
    "BBox",
    "CallbackHost",
    "Capabilities",
    "CatalogueAdapter",
    "CatalogueDataset",
    "CatalogueDistribution",
    "CatalogueQuery",
    "CatalogueResult",
    "Comparison",
    "Condition",
    "ConfigError",
    "Discovering",
    "DiscoveryQuery",
    "DiscoveryResult",
    "EntityHistory",
    "GeoPoint",
    "HistoryAdapter",
    "HistoryPoint",
    "HistoryQuery",
    "HistoryResult",
    "JSONValue",
    "Lookup",
    "LookupQuery",
    "Near",
    "NotificationInbox",
    "Revalidating",
    "SourceEntity",
    "SourceQuery",
    "SourceResult",
    "StreamQuery",
    "Streaming",
    "TypeInfo",
    "UnsupportedQuery",
    "UpstreamAuthError",
    "UpstreamError",
    "UpstreamProtocolError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "representative_point",
]
