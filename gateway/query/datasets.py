"""The federated catalogue query: every city's catalogue at once, merged, paged, with coverage.

The path of one ``datasets`` field, beside ``entities.py`` and with its
conventions (the fan-out, then each city's upstream guard): a city without a
catalogue is UNSUPPORTED, one that fails gets its coverage status and an
``errors[]`` entry, the others answer. Datasets are in one
global order (title, case-folded; then city id; then dataset id), so keyset
cursors page without duplicates or gaps. The search is applied again here
(``CatalogueQuery.matches``), so every catalogue kind means the same by it.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from adapters.contract import CatalogueDataset, CatalogueQuery, CatalogueResult
from gateway.errors import BadUserInput
from gateway.federation.model import Federation
from gateway.process.runtime import Runtime
from gateway.query.cache.keys import call_key
from gateway.query.coverage import Coverage, CoverageStatus, answered
from gateway.query.cursor import fingerprint
from gateway.query.fanout import Fetch, fan_out
from gateway.query.upstream import Fetched

MAX_SEARCH_LENGTH = 200
_CURSOR_VERSION = 1

DatasetKey = tuple[str, str, str]
"""(title case-folded, city id, dataset id): the global order of datasets."""


@dataclass(frozen=True, slots=True)
class DatasetRequest:
    """``datasets(search, cities, first, after)`` once checked; ``cities`` None means all."""

    search: str | None
    cities: tuple[str, ...] | None
    first: int
    after: str | None

    def fingerprint_parts(self) -> list[object]:
        """What defines the result set: cursors are bound to it."""
        return ["datasets", self.search, sorted(self.cities) if self.cities is not None else None]


@dataclass(frozen=True, slots=True)
class PlacedDataset:
    """A dataset with the city whose catalogue lists it, and its place in the global order."""

    key: DatasetKey
    city_id: str
    dataset: CatalogueDataset


@dataclass(frozen=True, slots=True)
class DatasetAnswer:
    """One page of datasets, and how each city's catalogue contributed."""

    items: Sequence[PlacedDataset]
    has_next: bool
    end_cursor: str | None
    total_count: int
    coverage: Sequence[Coverage]


def dataset_request(
    search: str | None,
    cities: Sequence[str] | None,
    first: int | None,
    after: str | None,
    federation: Federation,
) -> DatasetRequest:
    """Check the arguments of ``datasets``; BadUserInput says what is wrong."""
    words = " ".join(search.split()) if search is not None else ""
    if len(words) > MAX_SEARCH_LENGTH:
        raise BadUserInput(f"search: at most {MAX_SEARCH_LENGTH} characters")
    scope = None
    if cities is not None:
        unknown = [c for c in cities if c not in federation.cities]
        if unknown:
            raise BadUserInput(
                f"cities: unknown city id {', '.join(map(repr, unknown))} "
                f"(known: {', '.join(sorted(federation.cities))})"
            )
        scope = tuple(dict.fromkeys(cities))
    options = federation.options
    size = options.default_page_size if first is None else first
    if not 0 <= size <= options.max_page_size:
        raise BadUserInput(f"first: {first} is outside 0..{options.max_page_size}")
    return DatasetRequest(words or None, scope, size, after)


@dataclass(frozen=True, slots=True)
class CatalogueStep:
    """One city's catalogue to ask, or ``refusal`` (none configured)."""

    city_id: str
    refusal: Coverage | None = None


async def find_datasets(
    request: DatasetRequest, runtime: Runtime, deadline: float
) -> DatasetAnswer:
    """Ask every catalogue in scope at once; ``deadline`` on the monotonic clock."""
    query_fp = fingerprint(request.fingerprint_parts())
    after_key = decode_cursor(request.after, query_fp) if request.after is not None else None
    federation = runtime.federation
    scope = request.cities if request.cities is not None else tuple(federation.cities)
    query = CatalogueQuery(request.search, federation.options.max_entities_per_city)
    steps = [
        CatalogueStep(city_id)
        if city_id in runtime.catalogues
        else CatalogueStep(city_id, _no_catalogue(city_id))
        for city_id in scope
    ]
    outcomes = await fan_out(
        steps, catalogue_fetch(runtime, query), federation.timeout_for, deadline
    )
    streams: list[list[PlacedDataset]] = []
    coverage: list[Coverage] = []
    for outcome in outcomes:
        if outcome.result is None:
            coverage.append(outcome.coverage)
            continue
        placed = _order(outcome.city_id, [d for d in outcome.result.datasets if query.matches(d)])
        streams.append(placed)
        note = (
            f"only the first {query.limit} datasets were fetched"
            if outcome.result.truncated
            else None
        )
        coverage.append(answered(outcome.coverage, len(placed), note))
    tails = [_after(stream, after_key) for stream in streams]
    page = list(itertools.islice(heapq.merge(*tails, key=lambda p: p.key), request.first + 1))
    items = page[: request.first]
    end = encode_cursor(items[-1].key, query_fp) if items else request.after
    return DatasetAnswer(
        items=items,
        has_next=len(page) > request.first,
        end_cursor=end,
        total_count=sum(len(s) for s in streams),
        coverage=coverage,
    )


def _no_catalogue(city_id: str) -> Coverage:
    return Coverage(city_id, CoverageStatus.UNSUPPORTED, message="no catalogue configured")


def catalogue_fetch(
    runtime: Runtime, query: CatalogueQuery
) -> Fetch[CatalogueStep, CatalogueResult]:
    """Ask one city's catalogue adapter through the city's upstream guard."""

    async def fetch(step: CatalogueStep, deadline: float) -> Fetched[CatalogueResult]:
        catalogue = runtime.catalogues[step.city_id]
        key = call_key("catalogue", step.city_id, query)
        return await runtime.upstream.call(
            step.city_id, key, lambda: catalogue.fetch_datasets(query), deadline
        )

    return fetch


def _after(stream: list[PlacedDataset], key: DatasetKey | None) -> list[PlacedDataset]:
    if key is None:
        return stream
    return stream[bisect.bisect_right(stream, key, key=lambda p: p.key) :]


def _order(city_id: str, datasets: Sequence[CatalogueDataset]) -> list[PlacedDataset]:
    seen: dict[str, PlacedDataset] = {}
    for d in datasets:
        seen.setdefault(d.id, PlacedDataset((d.title.casefold(), city_id, d.id), city_id, d))
    return sorted(seen.values(), key=lambda p: p.key)


def encode_cursor(key: DatasetKey, query_fingerprint: str) -> str:
    """The opaque cursor of the position just after ``key``."""
    raw = orjson.dumps([_CURSOR_VERSION, query_fingerprint, *key])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, query_fingerprint: str) -> DatasetKey:
    """The key inside ``cursor``; BadUserInput when malformed or from another query."""
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii"))
        value = orjson.loads(raw)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise BadUserInput("after: malformed cursor: pass pageInfo.endCursor unchanged") from None
    if not (isinstance(value, list) and len(value) == 5 and value[0] == _CURSOR_VERSION):
        raise BadUserInput("after: malformed cursor: pass pageInfo.endCursor unchanged")
    _, fp, title, city, dataset_id = value
    if fp != query_fingerprint:
        raise BadUserInput("after: cursor belongs to a different query (search or cities changed)")
    if not all(isinstance(v, str) for v in (title, city, dataset_id)):
        raise BadUserInput("after: malformed cursor: pass pageInfo.endCursor unchanged")
    return (title, city, dataset_id)
