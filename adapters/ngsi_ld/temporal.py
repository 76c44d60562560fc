"""History from the NGSI-LD temporal API (GS CIM 009 clause 6.18): request, paging, answer.

One ``GET .../temporal/entities?type=T&timerel=between&timeAt=A&endTimeAt=B``
(``id``, ``attrs``, ``lastN`` when asked), paged the dialect's way (``dialect.py``):
``limit``/``offset`` and ``Link: rel="next"`` (same origin only), Mintaka's
``pageSize``/``pageAnchor`` and ``Next-Page``, or (diwise) one answer with everything.

A broker that caps the instances it returns answers 206 Partial Content with a
``Content-Range: date-time <start>-<end>/<size>``: the adapter asks the same page
again for the rest of the window (from the range's end; with ``lastN``, before its
start) until a 200, and merges what comes back, each point once.

Every temporal representation is read (``temporal_read.py``); each dataset of an
attribute is its own series (``EntityHistory.datasets``, ADR 0010). Aggregation is
asked of the broker when the city says it offers it, else computed here from the
values; both give the same periods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
from yarl import URL

from adapters.contract import (
    Aggregation,
    EntityHistory,
    HistoryPoint,
    HistoryQuery,
    HistoryResult,
)
from adapters.errors import UnsupportedQuery, UpstreamError, UpstreamProtocolError
from adapters.ngsi_ld.config import NgsiLdConfig
from adapters.ngsi_ld.contexts import TermMap, term_map
from adapters.ngsi_ld.dialect import Dialect, dialect_error
from adapters.ngsi_ld.query import check_name, format_datetime
from adapters.ngsi_ld.temporal_read import RawHistory, SeriesKey, read_entity
from adapters.ngsi_ld.transport import Page, context_link, get_page
from adapters.sdk.aggregate import aggregate
from adapters.sdk.client import PlatformClient
from adapters.sdk.durations import iso_duration

Params = list[tuple[str, str]]
_METHODS = {"avg", "min", "max", "sum", "totalCount"}
MAX_RANGE_FOLLOWS = 100
"""206 answers followed for one page before the answer is called truncated (memory bound:
with Stellio's default of 10 000 instances per answer, a million points)."""


def history_params(query: HistoryQuery, config: NgsiLdConfig, terms: TermMap, limit: int) -> Params:
    """Parameters of one Query Temporal Evolution of Entities request."""
    rules = config.temporal_rules
    check_name("entity type", query.entity_type)
    if query.after >= query.before:
        raise UnsupportedQuery("the history window is empty (after is not before 'before')")
    params: Params = [("type", query.entity_type)]
    if query.entity_id is not None:
        if not query.entity_id or any(c in query.entity_id for c in ", \t\r\n"):
            raise UnsupportedQuery(f"entity id {query.entity_id!r} is not a URI")
        params.append(("id", query.entity_id))
    if query.attrs is not None:
        for name in query.attrs:
            check_name("attribute", name)
        if rules.temporal_attrs is not None:
            params.append((rules.temporal_attrs, ",".join(query.attrs)))
    params += [
        ("timerel", "between"),
        ("timeAt", format_datetime(query.after, ceil=False)),
        ("endTimeAt", format_datetime(query.before, ceil=True)),
    ]
    if query.last_n is not None:
        params.append(("lastN", str(query.last_n)))
    params += _representation(query.aggregation, config)
    if rules.temporal_paging == "offset":
        params += [("limit", str(limit)), ("offset", "0")]
    elif rules.temporal_paging == "page-anchor":
        params.append(("pageSize", str(limit)))
    if rules.temporal_count is not None:
        params.append(rules.temporal_count)
    return _joined_options(params)


def _joined_options(params: Params) -> Params:
    """One ``options`` parameter (``temporalValues,count``), as brokers read only the first."""
    options = [v for k, v in params if k == "options"]
    if len(options) < 2:
        return params
    rest = [(k, v) for k, v in params if k != "options"]
    return [*rest, ("options", ",".join(options))]


def _representation(aggregation: Aggregation | None, config: NgsiLdConfig) -> Params:
    if not config.temporal_rules.options:
        return []
    pushed = config.temporal is not None and config.temporal.aggregation
    if aggregation is not None and pushed:
        if aggregation.method not in _METHODS:
            raise UnsupportedQuery(f"aggregation {aggregation.method!r} is not offered")
        period = "P0D" if aggregation.period_s is None else _period(aggregation.period_s)
        return [
            ("options", "aggregatedValues"),
            ("aggrMethods", aggregation.method),
            ("aggrPeriodDuration", period),
        ]
    return [("options", "temporalValues")]


def _period(seconds: float) -> str:
    if not seconds > 0:
        raise UnsupportedQuery(f"an aggregation period must be positive, not {seconds!r} s")
    try:
        return iso_duration(seconds)
    except ValueError as exc:
        raise UnsupportedQuery(str(exc)) from None


@dataclass(slots=True)
class _Gathered:
    """What the answers said of one entity so far, each point once per series."""

    id: str
    type: str
    points: dict[SeriesKey, dict[tuple[object, ...], HistoryPoint]] = field(default_factory=dict)

    def add(self, found: RawHistory) -> None:
        for key, series in found.series.items():
            kept = self.points.setdefault(key, {})
            for point in series:
                kept.setdefault(_identity(point), point)

    def history(self, query: HistoryQuery) -> EntityHistory:
        """The finished entity: clipped, cut to ``lastN``, aggregated; datasets apart."""
        series: dict[str, list[HistoryPoint]] = {}
        datasets: dict[str, dict[str, list[HistoryPoint]]] = {}
        for (name, dataset), kept in self.points.items():
            points = finish(list(kept.values()), query)
            if not points:
                continue
            if dataset is None:
                series[name] = points
            else:
                datasets.setdefault(name, {})[dataset] = points
        for name, named in datasets.items():
            series.setdefault(name, next(iter(named.values())))
        return EntityHistory(self.id, self.type, series, datasets)

    def has_at_least(self, count: int) -> bool:
        return all(len(kept) >= count for kept in self.points.values())


def _identity(point: HistoryPoint) -> tuple[object, ...]:
    try:
        value: object = orjson.dumps(point.value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        value = repr(point.value)
    return (point.at, point.until, value)


def finish(points: list[HistoryPoint], query: HistoryQuery) -> list[HistoryPoint]:
    """One series as asked: in the window, oldest first, the last N, aggregated here."""
    if any(p.until is not None for p in points):  # aggregated by the broker
        return sorted(points, key=lambda p: p.at)
    kept = sorted((p for p in points if query.after <= p.at < query.before), key=lambda p: p.at)
    if query.last_n is not None:
        kept = kept[-query.last_n :] if query.last_n > 0 else []
    if query.aggregation is not None:
        start = query.after.replace(microsecond=0)  # as timeAt is sent: whole seconds
        return aggregate(kept, query.aggregation, start, query.before)
    return kept


async def fetch_history(
    client: PlatformClient, config: NgsiLdConfig, query: HistoryQuery
) -> HistoryResult:
    """Page through the temporal API until ``query.limit`` entities or the end."""
    if config.temporal is None:
        raise UnsupportedQuery("this city's broker keeps no history (temporal: false)")
    if query.limit < 0 or (query.last_n is not None and query.last_n < 0):
        raise UnsupportedQuery("limit and lastN must not be negative")
    settings = config.for_type(query.entity_type)
    terms = term_map(settings.context)
    rules = config.temporal_rules
    base = config.temporal.url or config.url
    headers = context_link(settings.context)
    size = max(1, min(config.page_size, rules.max_limit, query.limit))
    url = (base / "temporal" / "entities").with_query(history_params(query, config, terms, size))
    reader = _Reader(client, headers, rules, terms, query)
    seen = 0
    capped = False
    asked = {url}
    while True:
        page = await reader.get(url)
        seen += len(page.entities)
        capped = await reader.rest_of_window(url, page) or capped
        next_url = _next_page(client, page, url, seen, rules)
        if len(reader.found) >= query.limit or not page.entities or next_url is None:
            break
        if next_url in asked:
            raise UpstreamProtocolError("the broker's next page is one already read (a loop)")
        asked.add(next_url)
        url = next_url
    more = next_url is not None and bool(page.entities)
    entities = [g.history(query) for g in list(reader.found.values())[: query.limit]]
    truncated = capped or len(reader.found) > query.limit or (more and len(entities) > 0)
    return HistoryResult(entities, truncated=truncated or (more and query.limit == 0))


@dataclass(slots=True)
class _Reader:
    """Asks for pages and windows, and gathers the entities they hold."""

    client: PlatformClient
    headers: Mapping[str, str]
    rules: Dialect
    terms: TermMap
    query: HistoryQuery
    found: dict[str, _Gathered] = field(default_factory=dict)

    async def get(self, url: URL) -> Page:
        try:
            page = await get_page(self.client, url, self.headers)
        except UpstreamError as exc:
            raise dialect_error(exc, self.rules) from None
        wanted = frozenset(self.query.attrs) if self.query.attrs is not None else None
        method = self.query.aggregation.method if self.query.aggregation is not None else None
        for raw in page.entities:
            entity = read_entity(raw, self.terms, wanted, len(self.found), method)
            gathered = self.found.setdefault(entity.id, _Gathered(entity.id, entity.type))
            gathered.add(entity)
        return page

    async def rest_of_window(self, url: URL, page: Page) -> bool:
        """Follow 206 answers for the rest of the window; True when stopped short."""
        query = self.query
        low, high = query.after.astimezone(UTC), query.before.astimezone(UTC)
        follows = 0
        while page.partial is not None:
            start, end = page.partial
            if query.last_n is not None:
                if end <= low or start >= high or self._enough(query.last_n):
                    return False
                if start <= low:
                    return True  # no progress possible: the range reaches the window start
                high = start
            else:
                if end <= low:
                    return True  # the range does not advance
                low = end
            if low >= high:
                return False
            follows += 1
            if follows > MAX_RANGE_FOLLOWS:
                return True
            page = await self.get(url.update_query(timeAt=_instant(low), endTimeAt=_instant(high)))
        return False

    def _enough(self, last_n: int) -> bool:
        return all(g.has_at_least(last_n) for g in self.found.values())


def _instant(moment: datetime) -> str:
    """A DateTime parameter with the precision of the range it continues from."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _next_page(
    client: PlatformClient, page: Page, url: URL, seen: int, rules: Dialect
) -> URL | None:
    """The next page of entities, the dialect's way; None at the end."""
    if rules.temporal_paging == "none" or not page.entities:
        return None
    if rules.temporal_paging == "page-anchor":
        return url.update_query(pageAnchor=page.next_anchor) if page.next_anchor else None
    if page.next_url is not None:
        client.check_origin(page.next_url, what="the next-page link")
        return page.next_url
    if page.total_count is not None and seen < page.total_count:
        return url.update_query(offset=str(seen))
    return None
