"""What a check may ask of one city: its configuration, its adapters, its platform's own
HTTP (with every exchange kept as evidence), and what the gateway has seen of it."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from adapters.contract import Adapter, CatalogueAdapter, SourceQuery, SourceResult
from adapters.errors import AdapterError
from gateway.assessment.evidence import excerpt
from gateway.assessment.profile import Profile
from gateway.federation.model import CityConfig

MAX_BODY_BYTES = 4 * 1024 * 1024
"""An answer larger than this is cut (and fails to parse)."""
SDM_CONTEXT = "https://smartdatamodels.org/context.jsonld"
JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request to a platform and its answer (``status`` 0: no answer)."""

    method: str
    url: str
    status: int
    content_type: str
    headers: Mapping[str, str]
    body: bytes
    error: str | None = None

    @property
    def request_line(self) -> str:
        """``GET <url>``."""
        return f"{self.method} {self.url}"

    def json(self) -> Any:
        """The body as JSON; None when it is not JSON."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None

    def describe(self) -> str:
        """Status, content type and the start of the body, for the report."""
        if self.error is not None:
            return f"no answer: {self.error}"
        text = self.body.decode("utf-8", "replace")
        return excerpt(f"{self.status} {self.content_type or '(no content type)'}\n{text}")


@dataclass(frozen=True, slots=True)
class Operation:
    """What the gateway has seen of a city's platform (its recent requests)."""

    requests: int
    answered: int
    p95_ms: float | None
    recorded: str | None = None
    """What the running gateway's own records say of the city (the status page's window)."""


@dataclass
class CityTarget:
    """One city, as the checks see it."""

    city: CityConfig
    adapter: Adapter | None
    catalogue: CatalogueAdapter | None
    session: aiohttp.ClientSession
    profile: Profile
    timeout_s: float
    centre: tuple[float, float] | None
    """(lat, lon) of the municipality's centre, when known."""
    operation: Callable[[CityTarget], Awaitable[Operation]]
    """What the gateway has seen of the city, read when a check asks."""
    _samples: dict[tuple[str, int], asyncio.Task[SourceResult]] = field(default_factory=dict)
    _once: dict[str, asyncio.Task[Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The city id."""
        return self.city.id

    @property
    def kind(self) -> str:
        """The platform kind of the federation file (``ngsi-ld``, ``sensorthings``, ...)."""
        return self.city.adapter.kind

    @property
    def datasets(self) -> tuple[str, ...]:
        """The entity types the federation file lists for the city."""
        return tuple(self.city.datasets)

    def api_root(self) -> str | None:
        """The standard API's root (``.../ngsi-ld/v1`` or ``.../v1.1``); None for other kinds."""
        url = str(self.city.adapter.options.get("url", "")).rstrip("/")
        if self.kind == "ngsi-ld":
            return url if url.endswith("/ngsi-ld/v1") else f"{url}/ngsi-ld/v1"
        if self.kind == "sensorthings":
            return url if url.rsplit("/", 1)[-1] in ("v1.0", "v1.1") else f"{url}/v1.1"
        return None

    def ngsi_headers(self, accept: str = "application/json") -> dict[str, str]:
        """Accept, the @context Link and the tenant of the city's NGSI-LD broker."""
        options = self.city.adapter.options
        context = str(options.get("context") or SDM_CONTEXT)
        headers = {"Accept": accept, "Link": f'<{context}>; rel="{JSONLD_CONTEXT_REL}"'}
        if options.get("tenant"):
            headers["NGSILD-Tenant"] = str(options["tenant"])
        return headers

    async def get(self, url: str, headers: Mapping[str, str] | None = None) -> Exchange:
        """GET ``url`` on the platform; failures become an Exchange with ``error``."""
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        try:
            async with self.session.get(
                url, headers=dict(headers or {}), timeout=timeout, allow_redirects=False
            ) as response:
                body = await response.content.read(MAX_BODY_BYTES)
                return Exchange(
                    "GET",
                    url,
                    response.status,
                    response.headers.get("Content-Type", ""),
                    dict(response.headers),
                    body,
                )
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            message = str(exc) or type(exc).__name__
            return Exchange("GET", url, 0, "", {}, b"", error=message)

    def once(self, key: str, make: Callable[[], Awaitable[Any]]) -> Awaitable[Any]:
        """``make()`` awaited once per assessment, shared by every check that asks for ``key``."""
        task = self._once.get(key)
        if task is None:
            task = asyncio.ensure_future(make())
            self._once[key] = task
        return task

    def sample(self, entity_type: str, read: int = 0) -> Awaitable[SourceResult]:
        """The first ``sample_size`` entities of ``entity_type`` through the adapter
        (asked once per assessment and ``read``: 1 asks again, as a second read)."""
        key = (entity_type, read)
        task = self._samples.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fetch(entity_type))
            self._samples[key] = task
        return task

    async def _fetch(self, entity_type: str) -> SourceResult:
        if self.adapter is None:
            raise LookupError("no adapter was built for the city")
        size = int(self.profile.number("sample_size"))
        query = SourceQuery(entity_type=entity_type, limit=size)
        return await asyncio.wait_for(self.adapter.fetch_entities(query), self.timeout_s * 3)


PROBES = 5
"""Requests ``probe_operation`` sends to a city."""


async def probe_operation(target: CityTarget) -> Operation:
    """What a gateway sees of the city, when it has seen nothing yet: ``PROBES`` reads of one
    entity through the adapter, one after another, timed (``caap assess`` from the command
    line; the server reads its own records instead)."""
    if target.adapter is None or not target.datasets:
        return Operation(0, 0, None)
    query = SourceQuery(entity_type=target.datasets[0], limit=1)
    answered, latencies = 0, []
    for _ in range(PROBES):
        started = time.perf_counter()
        try:
            await asyncio.wait_for(target.adapter.fetch_entities(query), target.timeout_s)
        except (AdapterError, TimeoutError):
            continue
        answered += 1
        latencies.append((time.perf_counter() - started) * 1000)
    p95 = sorted(latencies)[max(0, math.ceil(0.95 * len(latencies)) - 1)] if latencies else None
    return Operation(PROBES, answered, p95)


def sample_request(target: CityTarget, entity_type: str) -> str:
    """How a sample read through the adapter is described in the evidence."""
    size = int(target.profile.number("sample_size"))
    return f"{target.kind} adapter: fetch_entities(type={entity_type}, limit={size})"
