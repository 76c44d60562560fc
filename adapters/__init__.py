"""Adapters: one per platform kind, behind one contract (``adapters.contract``).

This package must not import ``gateway``: a city can write an adapter without it.
"""

from adapters.contract import (
    Adapter,
    AdapterContext,
    AdapterFactory,
    BBox,
    Capabilities,
    GeoPoint,
    Near,
    Revalidating,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.errors import (
    AdapterError,
    ConfigError,
    UnsupportedQuery,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

__all__ = [
    "Adapter",
    "AdapterContext",
    "AdapterError",
    "AdapterFactory",
    "BBox",
    "Capabilities",
    "ConfigError",
    "GeoPoint",
    "Near",
    "Revalidating",
    "SourceEntity",
    "SourceQuery",
    "SourceResult",
    "UnsupportedQuery",
    "UpstreamError",
    "UpstreamProtocolError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
]
