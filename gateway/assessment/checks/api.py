"""api.*: a standard API, its read parameters, history and a push channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.contract import HistoryAdapter, HistoryQuery
from adapters.errors import AdapterError
from gateway.assessment.evidence import Evidence, Outcome, failed, passed
from gateway.assessment.target import CityTarget, Exchange

MQTT_CLASS = "http://www.opengis.net/spec/iot_sensing/1.1/req/receive-updates-via-mqtt"
NO_STANDARD = "the platform speaks no standard API ({kind}): nothing to ask"


def no_standard_api(target: CityTarget, expected: str) -> Outcome:
    """The outcome of a protocol check for a platform that speaks neither standard."""
    return failed(
        NO_STANDARD.format(kind=target.kind),
        Evidence(f"federation file: cities.{target.id}.adapter.kind", target.kind, expected),
    )


async def standard(target: CityTarget) -> Outcome:
    """NGSI-LD: GET /types answers an EntityTypeList; SensorThings: the service root."""
    root = target.api_root()
    if root is None:
        return no_standard_api(target, "ngsi-ld or sensorthings")
    if target.kind == "ngsi-ld":
        answer = await target.get(f"{root}/types", target.ngsi_headers())
        document = answer.json()
        ok = answer.status == 200 and isinstance(document, dict | list)
        expected = "200 with an EntityTypeList (GS CIM 009 clause 5.7.5)"
    else:
        answer = await target.get(root)
        document = answer.json()
        ok = (
            answer.status == 200
            and isinstance(document, dict)
            and isinstance(document.get("value"), list)
        )
        expected = "200 with the service root: value[] of entity sets (OGC 18-088 clause 9.2)"
    evidence = Evidence(answer.request_line, answer.describe(), expected)
    if ok:
        return passed(f"speaks {target.kind}", evidence)
    return failed(f"{target.kind} root did not answer as the standard says", evidence)


async def read_parameters(target: CityTarget) -> Outcome:
    """The paging and counting parameters the gateway relies on."""
    root = target.api_root()
    if root is None:
        return no_standard_api(target, "ngsi-ld or sensorthings")
    if target.kind == "ngsi-ld":
        return await _ngsi_read(target, root)
    return await _sta_read(target, root)


async def _ngsi_read(target: CityTarget, root: str) -> Outcome:
    entity_type = target.datasets[0] if target.datasets else "WeatherObserved"
    base = f"{root}/entities?type={entity_type}&limit=2"
    first = await target.get(f"{base}&count=true", target.ngsi_headers())
    second = await target.get(f"{base}&offset=1", target.ngsi_headers())
    expected = (
        f"200, a JSON array of at most 2 entities of type {entity_type}, "
        "an NGSILD-Results-Count header; offset=1 starts at the first page's second entity"
    )
    problems = _page_problems(first, "NGSILD-Results-Count", _itself)
    problems += _page_problems(second, None, _itself)
    if not problems:
        ids_first = [e.get("id") for e in first.json()]
        ids_second = [e.get("id") for e in second.json()]
        if len(ids_first) == 2 and (not ids_second or ids_second[0] != ids_first[1]):
            problems.append("offset=1 does not start at the second entity")
        types = {e.get("type") for e in first.json()}
        if types - {entity_type}:
            problems.append(f"type={entity_type} answered other types: {sorted(map(str, types))}")
    evidence = (
        Evidence(first.request_line, first.describe(), expected),
        Evidence(second.request_line, second.describe(), expected),
    )
    if problems:
        return failed("; ".join(problems), *evidence)
    return passed("type, limit, offset and count answered as GS CIM 009 says", *evidence)


async def _sta_read(target: CityTarget, root: str) -> Outcome:
    first = await target.get(f"{root}/Things?$top=2&$count=true")
    second = await target.get(f"{root}/Things?$top=2&$skip=1")
    expected = (
        "200, value[] of at most 2 Things with @iot.count; $skip=1 starts at the first "
        "page's second Thing"
    )
    problems = _page_problems(first, "@iot.count", _sta_value)
    problems += _page_problems(second, None, _sta_value)
    if not problems:
        ids_first = [t.get("@iot.id") for t in _sta_value(first.json())]
        ids_second = [t.get("@iot.id") for t in _sta_value(second.json())]
        if len(ids_first) == 2 and (not ids_second or ids_second[0] != ids_first[1]):
            problems.append("$skip=1 does not start at the second Thing")
    evidence = (
        Evidence(first.request_line, first.describe(), expected),
        Evidence(second.request_line, second.describe(), expected),
    )
    if problems:
        return failed("; ".join(problems), *evidence)
    return passed("$top, $skip and $count answered as OGC 18-088 says", *evidence)


def _sta_value(document: Any) -> Any:
    return document.get("value") if isinstance(document, dict) else None


def _itself(document: Any) -> Any:
    return document


def _page_problems(
    answer: Exchange, count: str | None, items_of: Callable[[Any], Any]
) -> list[str]:
    if answer.status != 200:
        return [f"{answer.request_line} answered {answer.status or answer.error}"]
    document = answer.json()
    items = items_of(document)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return [f"{answer.request_line}: not a list of entities"]
    problems = []
    if len(items) > 2:
        problems.append(f"limit 2 answered {len(items)} entities")
    if count == "@iot.count" and not (isinstance(document, dict) and "@iot.count" in document):
        problems.append("$count=true gave no @iot.count")
    elif count is not None and count != "@iot.count" and count not in answer.headers:
        problems.append(f"count=true gave no {count} header")
    return problems


async def history(target: CityTarget) -> Outcome:
    """The last hour of one dataset through the adapter's HistoryAdapter."""
    adapter = target.adapter
    entity_type = target.datasets[0] if target.datasets else "WeatherObserved"
    now = datetime.now(UTC)
    query = HistoryQuery(entity_type=entity_type, after=now - timedelta(hours=1), before=now)
    request = (
        f"{target.kind} adapter: fetch_history(type={entity_type}, "
        f"after={query.after:%Y-%m-%dT%H:%M:%SZ}, before={query.before:%Y-%m-%dT%H:%M:%SZ})"
    )
    expected = "an answer (the platform keeps history and serves it)"
    if not isinstance(adapter, HistoryAdapter):
        return failed(
            "the platform offers no history the adapter can read",
            Evidence(request, f"the {target.kind} adapter has no history", expected),
        )
    try:
        result = await adapter.fetch_history(query)
    except AdapterError as exc:
        return failed(f"history request failed: {exc}", Evidence(request, str(exc), expected))
    points = sum(len(s) for e in result.entities for s in e.series.values())
    return passed(
        f"history answered: {len(result.entities)} entities, {points} points",
        Evidence(request, f"{len(result.entities)} entities, {points} points", expected),
    )


async def push(target: CityTarget) -> Outcome:
    """NGSI-LD subscriptions, or the SensorThings MQTT extension."""
    root = target.api_root()
    if root is None:
        return no_standard_api(target, "ngsi-ld or sensorthings")
    if target.kind == "ngsi-ld":
        answer = await target.get(f"{root}/subscriptions", target.ngsi_headers())
        ok = answer.status == 200 and isinstance(answer.json(), list)
        expected = "200 with a JSON array of subscriptions (GS CIM 009 clause 5.8.4)"
    else:
        answer = await target.get(root)
        document = answer.json()
        settings = document.get("serverSettings", {}) if isinstance(document, dict) else {}
        conformance = settings.get("conformance", []) if isinstance(settings, dict) else []
        ok = any(str(c).startswith(MQTT_CLASS) for c in conformance)
        expected = f"serverSettings.conformance lists {MQTT_CLASS}/... (OGC 18-088 clause 14)"
    evidence = Evidence(answer.request_line, answer.describe(), expected)
    if ok:
        return passed("a push channel is offered", evidence)
    return failed("no push channel offered", evidence)
