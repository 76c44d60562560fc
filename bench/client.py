"""Single HTTP calls of the bench: checks, metrics, the fault control API, bursts.

Load comes from wrk; these are the few requests around it, over loopback.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import orjson

TIMEOUT_S = 60.0
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


class CheckFailed(RuntimeError):
    """An answer that shows the setup is wrong (so measuring it would mean nothing)."""


def request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout_s: float = TIMEOUT_S,
) -> tuple[int, bytes]:
    """Status and body of one request (an HTTP error status is returned, not raised)."""
    req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))  # noqa: S310 (loopback URLs built by the bench)
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def post_graphql(gateway_url: str, body: str, *, timeout_s: float = TIMEOUT_S) -> bytes:
    """POST a GraphQL body; the raw answer, or CheckFailed on a status other than 200."""
    status, answer = request(
        gateway_url + "/graphql",
        method="POST",
        body=body.encode(),
        headers={"Content-Type": "application/json"},
        timeout_s=timeout_s,
    )
    if status != 200:
        raise CheckFailed(f"the gateway answered HTTP {status}: {answer[:500]!r}")
    return answer


def entities_answer(raw: bytes) -> dict[str, Any]:
    """``data.entities`` of an answer to ``bench.queries.QUERY``."""
    document = orjson.loads(raw)
    entities = (document.get("data") or {}).get("entities")
    if not isinstance(entities, dict):
        raise CheckFailed(f"no data.entities in the answer: {raw[:500]!r}")
    return entities


def coverage(raw: bytes) -> dict[str, str]:
    """City id -> coverage status of an answer to ``bench.queries.QUERY``."""
    return {c["city"]["id"]: c["status"] for c in entities_answer(raw)["coverage"]}


def expect_ok(raw: bytes, cities: int, nodes: int | None = None) -> None:
    """Every one of ``cities`` answered OK, no error, and ``nodes`` entities when given."""
    document = orjson.loads(raw)
    if document.get("errors"):
        raise CheckFailed(f"the answer has errors: {document['errors']!r:.500}")
    statuses = coverage(raw)
    bad = {city: status for city, status in statuses.items() if status != "OK"}
    if len(statuses) != cities or bad:
        raise CheckFailed(f"expected {cities} cities OK, got {statuses}")
    got = len(entities_answer(raw)["nodes"])
    if nodes is not None and got != nodes:
        raise CheckFailed(f"expected {nodes} entities, got {got}")


def metric_samples(gateway_url: str, name: str) -> list[tuple[dict[str, str], float]]:
    """Every sample of metric ``name`` in the gateway's /metrics: labels and value."""
    status, text = request(gateway_url + "/metrics")
    if status != 200:
        raise CheckFailed(f"/metrics answered HTTP {status}")
    samples = []
    for line in text.decode().splitlines():
        if not (line.startswith(name + "{") or line.startswith(name + " ")):
            continue
        series, value = line.rsplit(" ", 1)
        labels = dict(_LABEL.findall(series[len(name) :]))
        samples.append((labels, float(value)))
    return samples


def metric_sum(gateway_url: str, name: str) -> float:
    """The sum of every series of metric ``name`` in the gateway's /metrics."""
    return sum(value for _, value in metric_samples(gateway_url, name))


def graphql_requests(gateway_url: str) -> float:
    """GraphQL requests served so far (``caap_request_duration_seconds_count``)."""
    return metric_sum(gateway_url, "caap_request_duration_seconds_count")


def circuit_state(gateway_url: str, city: str) -> float | None:
    """``caap_circuit_state`` of ``city`` (0 closed, 1 half-open, 2 open), None if absent."""
    for labels, value in metric_samples(gateway_url, "caap_circuit_state"):
        if labels.get("city") == city:
            return value
    return None


def upstream_requests(gateway_url: str) -> float:
    """``caap_upstream_requests_total`` summed over cities and outcomes."""
    return metric_sum(gateway_url, "caap_upstream_requests_total")


def set_fault(control_url: str, city: str, body: Mapping[str, Any]) -> None:
    """``PUT /cities/{city}/fault`` on citysim's control API."""
    status, answer = request(
        f"{control_url}/cities/{city}/fault",
        method="PUT",
        body=orjson.dumps(dict(body)),
        headers={"Content-Type": "application/json"},
    )
    if status != 200:
        raise CheckFailed(f"the control API refused the fault: HTTP {status} {answer[:300]!r}")


def heal(control_url: str, city: str) -> None:
    """``DELETE /cities/{city}/fault``."""
    status, answer = request(f"{control_url}/cities/{city}/fault", method="DELETE")
    if status != 200:
        raise CheckFailed(f"the control API did not heal {city}: HTTP {status} {answer[:300]!r}")


async def _burst(url: str, body: bytes, count: int, warm_body: bytes) -> list[tuple[int, bytes]]:
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def post(data: bytes) -> tuple[int, bytes]:
            async with session.post(url, data=data, headers=headers) as response:
                return response.status, await response.read()

        # open `count` connections first, so the burst does not wait for connects
        await asyncio.gather(*(post(warm_body) for _ in range(count)))
        return await asyncio.gather(*(post(body) for _ in range(count)))


def burst(gateway_url: str, body: str, count: int, warm_body: str) -> list[tuple[int, bytes]]:
    """``count`` identical POSTs sent at once, over connections opened (with ``warm_body``)."""
    return asyncio.run(_burst(gateway_url + "/graphql", body.encode(), count, warm_body.encode()))


async def _fetch_all(
    urls: Sequence[str], headers: Mapping[str, str], repeats: int
) -> tuple[list[float], list[bytes]]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as session:

        async def get(url: str) -> bytes:
            async with session.get(url, headers=dict(headers)) as response:
                if response.status != 200:
                    raise CheckFailed(f"GET {url} answered HTTP {response.status}")
                return await response.read()

        times: list[float] = []
        bodies: list[bytes] = []
        for _ in range(max(1, repeats)):
            started = time.perf_counter()
            bodies = list(await asyncio.gather(*(get(u) for u in urls)))
            times.append(time.perf_counter() - started)
        return times, bodies


def fetch_all(
    urls: Sequence[str], headers: Mapping[str, str], *, repeats: int = 1
) -> tuple[list[float], list[bytes]]:
    """GET every URL at once, ``repeats`` times over one session: wall times, last bodies."""
    return asyncio.run(_fetch_all(urls, headers, repeats))
