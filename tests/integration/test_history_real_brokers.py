"""``history`` through the real gateway from brokers behaving as Stellio, Mintaka and a broker
with two datasets per attribute do (issue 12's acceptance): every point arrives, each dataset
as its own series (``EntityHistory.datasets``, ADR 0010), hidden with its attribute.

The brokers are scripted on loopback (tests/adapters/test_ngsi_ld_broker_behaviours.py
has each behaviour alone, with its source); the gateway runs with a federation of
four cities, one per broker and one more on the datasets broker whose grant drops
``humidity``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from aiohttp import web

from tests.support.gateway_server import GatewayServer
from tests.support.recorded_server import Reply, serving

T0 = datetime(2026, 11, 1, tzinfo=UTC)
Script = Callable[[web.Request], Awaitable[Reply]]
HISTORY = """
query($from: DateTime!, $to: DateTime) {
  history(type: "WeatherObserved", from: $from, to: $to, first: 50) {
    nodes {
      id city { id } series { attribute points { at value } }
      datasets { datasetId series { attribute points { at value } } }
    }
    truncated
    coverage { city { id } status message }
  }
}
"""


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def window(request: web.Request) -> tuple[datetime, datetime]:
    start, end = (request.query[k].replace("Z", "+00:00") for k in ("timeAt", "endTimeAt"))
    return datetime.fromisoformat(start), datetime.fromisoformat(end)


def weather(entity_id: str, values: list[tuple[datetime, float]]) -> dict[str, Any]:
    return {"id": entity_id, "type": "WeatherObserved", "temperature": {
        "type": "Property", "values": [[v, iso(t)] for t, v in values]}}  # fmt: skip


def stellio_capped(instances: list[tuple[datetime, float]], cap: int) -> Script:
    """At most ``cap`` instances, then 206 with a date-time Content-Range."""

    async def script(request: web.Request) -> Reply:
        start, end = window(request)
        inside = [(t, v) for t, v in instances if start <= t < end]
        shown = inside[:cap]
        body = [weather("urn:ngsi-ld:WeatherObserved:hive", shown)]
        if len(inside) <= cap:
            return Reply(body)
        content_range = f"date-time {iso(shown[0][0])}-{iso(shown[-1][0])}/*"
        return Reply(body, status=206, headers={"Content-Range": content_range})

    return script


def mintaka_pages(ids: list[str]) -> Script:
    """``pageSize``/``pageAnchor`` and ``Next-Page``; ``offset`` ignored."""

    async def script(request: web.Request) -> Reply:
        size = int(request.query["pageSize"])
        anchor = request.query.get("pageAnchor")
        first = ids.index(anchor) if anchor else 0
        body = [weather(i, [(T0, 1.0)]) for i in ids[first : first + size]]
        more = first + size < len(ids)
        return Reply(body, headers={"Next-Page": ids[first + size]} if more else {})

    return script


SHADE, SUN = "urn:ngsi-ld:Dataset:shade", "urn:ngsi-ld:Dataset:sun"


def two_datasets() -> Script:
    """Two attributes, each with a default instance and named datasets (normalized form)."""

    async def script(request: web.Request) -> Reply:
        later = T0 + timedelta(hours=1)
        entity = {"id": "urn:ngsi-ld:WeatherObserved:roof", "type": "WeatherObserved",
                  "temperature": [
                      {"type": "Property", "values": [[5.0, iso(T0)], [6.0, iso(later)]]},
                      {"type": "Property", "datasetId": SHADE, "values": [[3.0, iso(T0)]]},
                      {"type": "Property", "datasetId": SUN,
                       "values": [[9.0, iso(T0)], [9.5, iso(later)]]}],
                  "humidity": [
                      {"type": "Property", "values": [[80.0, iso(T0)]]},
                      {"type": "Property", "datasetId": SHADE,
                       "values": [[85.0, iso(T0)]]}]}  # fmt: skip
        return Reply([entity])

    return script


def values(series: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Each series' values by attribute."""
    return {s["attribute"]: [p["value"] for p in s["points"]] for s in series}


def federation(path: Path, urls: dict[str, str]) -> Path:
    def city(
        name: str, kommunkod: str, adapter: dict[str, Any], access: Any = "public"
    ) -> dict[str, Any]:
        return {"name": name, "kommunkod": kommunkod, "adapter": {"kind": "ngsi-ld", **adapter},
                "datasets": {"WeatherObserved": {"access": access}}}  # fmt: skip

    document = {
        # a raw history of 50 entities is priced at 1,000 points per series (issue 13, M3);
        # without attrs (so that only the grant hides humidity) at 10 series, and its
        # datasets at 10 per entity: about 5.5 million
        "gateway": {"mode": "development", "timeout_s": 5.0, "deadline_s": 10.0,
                    "limits": {"cost": 6_000_000}},
        "cities": {
            "malmo": city("Malmö", "1280", {"url": urls["stellio"], "dialect": "stellio"}),
            "lund": city("Lund", "1281", {"url": urls["orion"], "dialect": "orion-ld",
                                          "page_size": 3, "temporal": {
                                              "url": urls["mintaka"], "dialect": "mintaka"}}),
            "umea": city("Umeå", "2480", {"url": urls["datasets"]}),
            "kiruna": city("Kiruna", "2584", {"url": urls["datasets"]},
                           [{"public": True, "drop": ["humidity"]}]),
        },
    }  # fmt: skip
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


async def test_every_point_arrives(tmp_path: Path) -> None:
    instances = [(T0 + timedelta(minutes=i), float(i)) for i in range(250)]
    ids = [f"urn:ngsi-ld:WeatherObserved:{n:02d}" for n in range(7)]
    scripts = {"stellio": stellio_capped(instances, cap=100), "mintaka": mintaka_pages(ids),
               "datasets": two_datasets(), "orion": two_datasets()}  # fmt: skip
    async with AsyncExitStack() as stack:
        servers = {k: await stack.enter_async_context(serving(s)) for k, s in scripts.items()}
        path = federation(tmp_path / "federation.yaml", {k: s.url for k, s in servers.items()})
        with GatewayServer(str(path)) as gateway:
            async with httpx.AsyncClient(timeout=30) as client:
                variables = {"from": iso(T0), "to": iso(T0 + timedelta(days=1))}
                asked = {"query": HISTORY, "variables": variables}
                response = await client.post(f"{gateway.url}/graphql", json=asked)
    body = response.json()
    assert "errors" not in body, body.get("errors")
    result = body["data"]["history"]
    assert {c["city"]["id"]: c["status"] for c in result["coverage"]} == {
        "malmo": "OK", "lund": "OK", "umea": "OK", "kiruna": "OK"}  # fmt: skip
    by_city: dict[str, list[dict[str, Any]]] = {}
    for node in result["nodes"]:
        by_city.setdefault(node["city"]["id"], []).append(node)
    (hive,) = by_city["malmo"]
    assert hive["datasets"] == []  # one instance per attribute: no other dataset
    points = hive["series"][0]["points"]
    assert [p["value"] for p in points] == [v for _, v in instances]  # 206 followed: all 250
    assert sorted(n["id"] for n in by_city["lund"]) == ids  # three Mintaka pages
    (roof,) = by_city["umea"]
    assert values(roof["series"]) == {"temperature": [5.0, 6.0], "humidity": [80.0]}
    assert {d["datasetId"]: values(d["series"]) for d in roof["datasets"]} == {
        SHADE: {"temperature": [3.0], "humidity": [85.0]},
        SUN: {"temperature": [9.0, 9.5]},
    }  # every point of every dataset, each its own series
    (hidden,) = by_city["kiruna"]
    assert values(hidden["series"]) == {"temperature": [5.0, 6.0]}
    assert {d["datasetId"]: values(d["series"]) for d in hidden["datasets"]} == {
        SHADE: {"temperature": [3.0]},
        SUN: {"temperature": [9.0, 9.5]},
    }  # the grant drops humidity: its datasets too
    assert result["truncated"] is False
    assert len(servers["stellio"].requests) == 3
    assert len(servers["mintaka"].requests) == 3
