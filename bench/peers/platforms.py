"""Stand-in NGSI-LD brokers for the peer rows: ``python -m bench.peers.platforms``.

One loopback port per city (ephemeral), deterministic ``WeatherObserved``
entities, and a latency that can be changed while running, so both gateways
keep their connections and their composed schema across the 0 ms and 50 ms
rows. Serves ``GET /ngsi-ld/v1/entities`` with ``type``, ``limit``, ``offset``,
``options=keyValues``, ``count=true`` and ``q`` (``;``-joined terms, operators
``== != >= <= > <``); anything else answers 400 with ProblemDetails, as a
broker would. Rendered pages are kept per query string (at most
``RENDER_CACHE`` of them), so the platforms stay cheap next to the gateways.

Not NGSI-LD (the bench's control): ``GET /__stats`` (requests served, per city),
``POST /__latency?ms=N``, ``POST /__entities?n=N`` (each city then holds only its
first N entities; at most the number it started with). Prints
``READY city=port ...`` once every port listens.

Derived from ``standin_ngsild.py`` of the steering team's peer-bench tool
(``/work/shared/tools/peer-bench``), by permission of its authors.
"""

from __future__ import annotations

import argparse
import asyncio
import operator
import signal
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiohttp import web

ENTITY_TYPE = "WeatherObserved"
ENTITIES_PATH = "/ngsi-ld/v1/entities"
CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
LINK = f'<{CORE_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
BASE_TIME = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
RENDER_CACHE = 4096
MAX_LIMIT = 1000
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_OPS = tuple(_OPERATORS)
"""In the order they are looked for: ``>=`` before ``>``."""

Entity = dict[str, object]
Term = tuple[str, str, float | str]


class BadRequest(Exception):
    """A query the stand-in refuses: ProblemDetails with ``status``."""

    def __init__(self, detail: str, kind: str = "BadRequestData", status: int = 400) -> None:
        super().__init__(detail)
        self.detail, self.kind, self.status = detail, kind, status


def make_entities(city: str, lon: float, lat: float, count: int) -> list[Entity]:
    """``count`` keyValues entities of ``city``, the same on every run."""
    out: list[Entity] = []
    for i in range(1, count + 1):
        h = zlib.crc32(f"{city}-{i}".encode())
        out.append(
            {
                "id": f"urn:ngsi-ld:{ENTITY_TYPE}:{city}-{i:03d}",
                "type": ENTITY_TYPE,
                "temperature": round(((h % 400) / 10.0) - 15.0, 1),
                "relativeHumidity": round(0.30 + ((h >> 9) % 70) / 100.0, 2),
                "dateObserved": (BASE_TIME - timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "location": {
                    "type": "Point",
                    "coordinates": [
                        round(lon + (((h >> 3) % 200) - 100) / 1000.0, 4),
                        round(lat + (((h >> 17) % 200) - 100) / 2000.0, 4),
                    ],
                },
            }
        )
    return out


def normalized(entity: Entity) -> Entity:
    """The normalized NGSI-LD form of a keyValues entity."""
    out: Entity = {"id": entity["id"], "type": entity["type"]}
    for key, value in entity.items():
        if key in ("id", "type"):
            continue
        if key == "location":
            out[key] = {"type": "GeoProperty", "value": value}
        elif key == "dateObserved":
            out[key] = {"type": "Property", "value": {"@type": "DateTime", "@value": value}}
        else:
            out[key] = {"type": "Property", "value": value}
    return out


def parse_q(q: str) -> list[Term]:
    """``attr<op>value`` terms joined by ``;`` (AND); numbers compare as numbers."""
    if "|" in q or "(" in q:
        raise BadRequest("only ';'-joined (AND) q terms", "OperationNotSupported", 501)
    terms: list[Term] = []
    for term in q.split(";"):
        for op in _OPS:
            if op in term:
                attr, raw = term.split(op, 1)
                raw = raw.strip().strip('"')
                try:
                    value: float | str = float(raw)
                except ValueError:
                    value = raw
                terms.append((attr.strip(), op, value))
                break
        else:
            raise BadRequest(f"invalid q term: {term!r}", "InvalidRequest")
    return terms


def _compare(left: object, op: str, right: float | str) -> bool:
    """Numbers against numbers, text against text (ISO times compare as text)."""
    if isinstance(right, float):
        if isinstance(left, bool) or not isinstance(left, int | float):
            return False
        return _OPERATORS[op](float(left), right)
    return isinstance(left, str) and _OPERATORS[op](left, right)


def matches(entity: Entity, terms: Sequence[Term]) -> bool:
    """Whether ``entity`` has every attribute of ``terms`` and satisfies them all."""
    return all(attr in entity and _compare(entity[attr], op, v) for attr, op, v in terms)


_KNOWN = {"type", "limit", "offset", "options", "count", "q"}


def render(entities: Sequence[Entity], params: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers of the answer to ``params``."""
    try:
        unknown = sorted(params.keys() - _KNOWN)
        if unknown:
            raise BadRequest(f"unsupported parameter(s): {', '.join(unknown)}")
        if "type" not in params:
            raise BadRequest("type is required")
        try:
            limit = int(params.get("limit", "20"))
            offset = int(params.get("offset", "0"))
        except ValueError:
            raise BadRequest("limit and offset must be integers") from None
        if limit < 0 or offset < 0:
            raise BadRequest("limit and offset must not be negative")
        if limit > MAX_LIMIT:
            raise BadRequest(f"limit must be <= {MAX_LIMIT}", "TooManyResults", 403)
        types = set(params["type"].split(","))
        selected = [e for e in entities if e["type"] in types]
        if "q" in params:
            terms = parse_q(params["q"])
            selected = [e for e in selected if matches(e, terms)]
        page = selected[offset : offset + limit]
        options = set(filter(None, params.get("options", "").split(",")))
        if not options & {"keyValues", "simplified"}:
            page = [normalized(e) for e in page]
        headers = {"Content-Type": "application/json", "Link": LINK}
        if params.get("count") == "true":
            headers["NGSILD-Results-Count"] = str(len(selected))
        return 200, orjson.dumps(page), headers
    except BadRequest as exc:
        problem = {
            "type": f"https://uri.etsi.org/ngsi-ld/errors/{exc.kind}",
            "title": exc.kind,
            "detail": exc.detail,
        }
        return exc.status, orjson.dumps(problem), {"Content-Type": "application/json"}


@dataclass(slots=True)
class Shared:
    """What every city's server shares: the latency and the counters."""

    latency_s: float
    held: int
    """Entities each city holds (its first ``held``)."""
    requests: int = 0
    by_city: dict[str, int] = field(default_factory=dict)


class City:
    """One city's broker."""

    def __init__(self, name: str, entities: list[Entity], shared: Shared) -> None:
        self.name = name
        self.entities = entities
        self.shared = shared
        self._pages: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        shared.by_city[name] = 0

    async def entities_handler(self, request: web.Request) -> web.Response:
        """``GET /ngsi-ld/v1/entities``."""
        self.shared.requests += 1
        self.shared.by_city[self.name] += 1
        key = f"{self.shared.held}?{request.rel_url.query_string}"
        page = self._pages.get(key)
        if page is None:
            page = render(self.entities[: self.shared.held], dict(request.rel_url.query))
            if len(self._pages) < RENDER_CACHE:
                self._pages[key] = page
        if self.shared.latency_s:
            await asyncio.sleep(self.shared.latency_s)
        status, body, headers = page
        return web.Response(status=status, body=body, headers=headers)

    def app(self) -> web.Application:
        """The aiohttp application of this city, with the bench's control routes."""
        shared = self.shared

        async def stats(_: web.Request) -> web.Response:
            return web.json_response({"requests": shared.requests, "by_city": shared.by_city})

        async def latency(request: web.Request) -> web.Response:
            try:
                shared.latency_s = float(request.rel_url.query["ms"]) / 1000.0
            except (KeyError, ValueError):
                return web.json_response({"detail": "give ms=<number>"}, status=400)
            return web.json_response({"latency_ms": shared.latency_s * 1000})

        async def held(request: web.Request) -> web.Response:
            try:
                count = int(request.rel_url.query["n"])
            except (KeyError, ValueError):
                return web.json_response({"detail": "give n=<integer>"}, status=400)
            if not 0 <= count <= len(self.entities):
                return web.json_response(
                    {"detail": f"n must be 0..{len(self.entities)}"}, status=400
                )
            shared.held = count
            return web.json_response({"entities": count})

        app = web.Application()
        app.router.add_get(ENTITIES_PATH, self.entities_handler)
        app.router.add_get("/__stats", stats)
        app.router.add_post("/__latency", latency)
        app.router.add_post("/__entities", held)
        return app


async def serve(
    cities: Sequence[tuple[str, float, float]], entities: int, latency_s: float
) -> None:
    """Every city on an ephemeral port of 127.0.0.1 until SIGTERM or SIGINT."""
    shared = Shared(latency_s, entities)
    runners: list[tuple[str, int, web.AppRunner]] = []
    for name, lat, lon in cities:
        city = City(name, make_entities(name, lon, lat, entities), shared)
        runner = web.AppRunner(city.app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = runner.addresses[0][1]
        runners.append((name, port, runner))
    print("READY " + " ".join(f"{name}={port}" for name, port, _ in runners), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for _, _, runner in runners:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> None:
    """``--cities id:lat:lon,...``, ``--entities N``, ``--latency-ms M``."""
    parser = argparse.ArgumentParser(prog="python -m bench.peers.platforms")
    parser.add_argument("--cities", required=True, help="id:lat:lon,... one broker each")
    parser.add_argument("--entities", type=int, default=100, help="entities per city")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    cities = []
    for item in args.cities.split(","):
        name, lat, lon = item.split(":")
        cities.append((name, float(lat), float(lon)))
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency of the gateway
        pass
    try:
        asyncio.run(serve(cities, args.entities, args.latency_ms / 1000.0))
    except OSError as exc:
        print(f"bench.peers.platforms: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
