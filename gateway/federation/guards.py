"""The protective knobs of the ``gateway`` section: mode, limits, rate limits, response
cache and persisted queries (docs/adr/0006-limits-and-response-cache.md).

::

    gateway:
      mode: production            # or development: introspection for everyone
      limits: {depth: 8, aliases: 15, cost: 5000, ...}
      rate_limit: {requests_per_s: 50, burst: 100, clients: {my-app: {requests_per_s: 100}}}
      response_cache: {ttl_s: 2, max_bytes: 64 MiB}
      persisted_queries: {apq: true, allow_list: trusted-documents.json, only_allow_listed: false}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["production", "development"]
MODES: tuple[Mode, ...] = ("production", "development")


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """``gateway.limits``: what one request may ask, checked before it runs."""

    depth: int = 8
    """Nesting of fields, outside introspection."""
    introspection_depth: int = 15
    """Nesting inside ``__schema`` and ``__type`` (GraphiQL's own query needs 15)."""
    aliases: int = 15
    directives: int = 20
    fields: int = 500
    """Field selections, with every fragment spread expanded."""
    root_fields: int = 20
    tokens: int = 2000
    characters: int = 15_000
    body_bytes: int = 1_048_576
    batch: int = 0
    """Operations in one JSON-array body; 0: batching is off."""
    cost: int = 5000
    """Unless the file sets it: at least two fan-outs to every city of the federation
    (``guards_parse.cost_limit_for_size``; 290 cities: 29,000)."""
    cost_per_city: int = 50
    """What asking one city costs, besides the size of what comes back."""
    upstream_bytes: int = 256 * 1024 * 1024
    """The bytes of the cities' answers held at once, all requests and cities together
    (``adapters.budget``; docs/adr/0013-request-body-and-memory-budgets.md)."""


@dataclass(frozen=True, slots=True)
class Rate:
    """A token bucket: ``requests_per_s`` refill, ``burst`` capacity; 0 requests/s: no limit."""

    requests_per_s: float = 50.0
    burst: int = 100


@dataclass(frozen=True, slots=True)
class RateLimitOptions:
    """``gateway.rate_limit``: one bucket per client id, or per address for anonymous callers."""

    default: Rate = field(default_factory=Rate)
    clients: Mapping[str, Rate] = field(default_factory=dict)
    """Client ids with a rate of their own."""

    def for_client(self, client_id: str | None) -> Rate:
        """The rate of ``client_id`` (None: anonymous)."""
        if client_id is None:
            return self.default
        return self.clients.get(client_id, self.default)


@dataclass(frozen=True, slots=True)
class ResponseCacheOptions:
    """``gateway.response_cache``: whole answers kept as bytes for ``ttl_s`` (0: off)."""

    ttl_s: float = 2.0
    max_bytes: int = 64 * 1024 * 1024
    max_entry_bytes: int = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PersistedQueryOptions:
    """``gateway.persisted_queries``: APQ (sha256 ids), and an allow-list of documents."""

    apq: bool = True
    max_bytes: int = 16 * 1024 * 1024
    """Bound of the store of documents registered through APQ."""
    allow_list: Mapping[str, str] = field(default_factory=dict)
    """sha256 (hex) -> document, read from the file that ``allow_list`` names."""
    only_allow_listed: bool = False
    """True: only documents of the allow-list run (trusted documents); APQ registers none."""
