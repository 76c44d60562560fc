"""The rows of issue 17 beyond one gateway and 18 cities: B9 coalescing latency with a
cache lifetime of 0, B10 290 cities, B11 two worker processes.

B9 runs on the ``ttl0`` stack (citysim at 50 ms, nothing cached, each city allowed
``PER_CITY`` calls at once, as in the peer rows); B10 starts its own 290 stand-in
platforms (``bench.peers.platforms``, generated names) and a gateway for them; B11
starts a two-worker gateway beside the ``lat0`` stack's one-worker gateway.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path
from typing import Any

import yaml

from bench import client, procfs
from bench.harness import (
    LATENCY_S,
    PER_CITY,
    Bench,
    Run,
    Side,
    add_profiles,
    check,
    cpu_per_request,
    latencies,
    rate,
    say,
)
from bench.peers.run import start_platforms
from bench.processes import start_gateway
from bench.queries import direct_spec, filled, graphql_spec
from bench.report import Check, RowResult, ms, ratio

ONE_CITY = "malmo"
FIRST = 20
B9_CONNECTIONS = (50, 1)
B9_TARGET = 1.1
NATIONAL_CITIES = 290
NATIONAL_ENTITIES = 20
B10_CONNECTIONS = 1
NATIONAL_GATEWAY: dict[str, Any] = {"rate_limit": {"requests_per_s": 0}}
"""The gateway's defaults but for the rate limit (one client address). A query over every
one of 290 cities costs 14,811 (50 per city asked): the default cost limit of a 290-city
federation is 29,000 (two fan-outs to every city; ADR 0025), not 5,000."""
B10_TARGET = 1.5
B11_CONNECTIONS = 16
B11_TARGET = 1.7
MIB = 1024


def b9_coalescing_latency(bench: Bench, row: RowResult) -> None:
    """Gateway p50 / platform p50 for one identical query, cache lifetime 0, 50 ms platforms,
    at 50 connections and at 1."""
    stack = bench.stack("ttl0")
    same = graphql_spec(first=FIRST, unique=False, cities=(ONE_CITY,))
    check(stack, same, cities=1, nodes=None)
    platform_url = stack.sim.urls[ONE_CITY]
    direct = direct_spec(platform_url)
    worst = 0.0
    measured = []
    for c in B9_CONNECTIONS:
        bench.warm(stack.gateway.url, same, c)
        bench.warm(platform_url, direct, c)
        calls0 = client.upstream_requests(stack.gateway.url)
        served0 = client.graphql_requests(stack.gateway.url)
        gw_runs, direct_runs = bench.alternate(
            Side(stack.gateway.url, same, f"gateway, {c} connection(s)", stack.gateway.pid),
            Side(platform_url, direct, f"platform, {c} connection(s)"),
            connections=c,
            rounds=bench.plan.latency_rounds,
            run_s=bench.plan.latency_run_s,
        )
        calls = client.upstream_requests(stack.gateway.url) - calls0
        served = client.graphql_requests(stack.gateway.url) - served0
        gw50, _ = latencies(row, f"gateway, {c} connection(s)", gw_runs)
        d50, _ = latencies(row, f"platform direct, {c} connection(s)", direct_runs)
        value = gw50 / d50
        worst = max(worst, value)
        row.checks.append(Check(f"{c} conn.", value, "<=", B9_TARGET))
        measured.append(f"{c} conn. {ratio(value)}")
        row.figure(
            f"upstream calls per request, {c} connection(s)",
            f"{calls / max(1.0, served):.2f} ({calls:.0f} calls, {served:.0f} requests)",
        )
        if value > B9_TARGET:
            cpu = cpu_per_request(gw_runs)
            shared = served / max(1.0, calls)
            sharing = (
                f"{shared:.0f} requests per upstream call (they arrive together, before the "
                "call starts, so they share it)"
                if shared >= 1.5
                else "one upstream call per request"
            )
            row.notes.append(
                f"Cause at {c} connection(s), as measured: {sharing} and "
                f"{ms(cpu)} of gateway CPU per request, spent one request after another on "
                f"the one event loop: about {ms(cpu * shared)} of CPU for each call's "
                f"requests on top of the platform's time (p50 difference {ms(gw50 - d50)}; "
                f"the gateway {100 * _busy(gw_runs):.0f}% of one core, {rate(gw_runs):.0f} "
                "requests/s). Less CPU per request (issue 17 item 2) is what closes it."
            )
        add_profiles(row, gw_runs)
    row.measured = ", ".join(measured)
    row.figure("platform latency", ms(LATENCY_S))
    row.figure(
        "gateway settings",
        "cache lifetime 0 (ttl, stale windows and response cache 0 s); "
        f"{PER_CITY} connections and calls in flight per city (`max_concurrent`), "
        "as in the peer rows",
    )
    row.figure("queue wait behind the per-city cap", _queue_wait(stack.gateway.url))
    row.notes.append(
        "A request joins a call in flight only when that call started after the request "
        "arrived (cache lifetime 0; ADR 0025): one that arrives during a call starts its "
        "own instead of waiting for an answer older than itself and then for a new one."
    )


def _busy(runs: list[Run]) -> float:
    wall = sum(r.result.duration_s for r in runs)
    return sum(r.cpu_s or 0.0 for r in runs) / wall if wall else 0.0


def _queue_wait(gateway_url: str) -> str:
    count = client.metric_sum(gateway_url, "caap_upstream_queue_wait_seconds_count")
    total = client.metric_sum(gateway_url, "caap_upstream_queue_wait_seconds_sum")
    mean = total / count if count else 0.0
    return f"{count:,.0f} calls, {ms(mean)} on average (caap_upstream_queue_wait_seconds)"


def national_cities(count: int) -> list[tuple[str, str, str]]:
    """``count`` generated municipalities (id, lat, lon) spread over Sweden's latitudes."""
    out = []
    for n in range(1, count + 1):
        lat = 55.4 + (n * 7919 % 1000) / 1000 * 13.6
        lon = 11.2 + (n * 104729 % 1000) / 1000 * 12.6
        out.append((f"k{n:03d}", f"{lat:.3f}", f"{lon:.3f}"))
    return out


def national_federation(path: Path, urls: dict[str, str], gateway: dict[str, Any]) -> Path:
    """A federation of generated municipalities (names ``Kommun 001``, codes ``9001``...)."""
    cities = {
        city_id: {
            "name": f"Kommun {city_id[1:]}",
            "kommunkod": f"{9000 + int(city_id[1:]):04d}",
            "adapter": {"kind": "ngsi-ld", "url": url},
            "datasets": {"WeatherObserved": {"access": "public"}},
        }
        for city_id, url in urls.items()
    }
    document = {"gateway": gateway, "cities": cities}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def b10_national(bench: Bench, row: RowResult) -> None:
    """290-city p50 / 1-city p50 with 50 ms platforms, 20 entities each; what 290 warm
    cities cost in connections and memory."""
    cities = national_cities(NATIONAL_CITIES)
    say(f"starting {len(cities)} stand-in platforms")
    platforms = start_platforms(bench.group, cities, entities=NATIONAL_ENTITIES)
    platforms.set_latency(round(LATENCY_S * 1000))
    gateway = None
    try:
        config = national_federation(
            bench.workdir / "federation-national.yaml",
            platforms.urls,
            NATIONAL_GATEWAY,
        )
        gateway = start_gateway(bench.group, config, workers=bench.workers)
        idle = procfs.memory(gateway.pid)
        idle_sockets = procfs.sockets(gateway.pid)
        _national_rows(bench, row, gateway.url, gateway.pid, [c for c, _, _ in cities])
        warm = procfs.memory(gateway.pid)
        warm_sockets = procfs.sockets(gateway.pid)
        row.figure(
            "keeping 290 cities warm",
            f"{warm_sockets} open sockets in the gateway after the runs ({idle_sockets} "
            f"before the first query): one kept-alive connection per city and connection "
            f"in flight; RSS {warm.rss_kib / MIB:.0f} MiB after the runs, "
            f"{idle.rss_kib / MIB:.0f} MiB started with its 290 adapters before any query, "
            f"VmHWM {warm.hwm_kib / MIB:.0f} MiB",
        )
        row.figure(
            "gateway settings",
            "defaults (8 connections and 8 calls in flight per city, caches on, cost limit "
            "29,000 for 290 cities) except `rate_limit: {requests_per_s: 0}`; the 290-city "
            "query costs 14,811 (cost_per_city 50 x 290 + the page)",
        )
        row.figure(
            "file descriptors",
            f"soft limit {_nofile()} for this bench's processes; at most "
            "max_connections_per_city x cities sockets to the platforms (8 x 290 = 2,320 "
            "with the defaults)",
        )
    finally:
        if gateway is not None:
            bench.group.stop(gateway.process)
        bench.group.stop(platforms.process)


def _national_rows(bench: Bench, row: RowResult, url: str, pid: int, ids: list[str]) -> None:
    everyone = graphql_spec(first=FIRST, unique=True)
    one = graphql_spec(first=FIRST, unique=True, cities=(ids[0],))
    for spec, n in ((everyone, len(ids)), (one, 1)):
        assert spec.body is not None
        raw = client.post_graphql(url, filled(spec.body))
        client.expect_ok(raw, n, FIRST)
    c = B10_CONNECTIONS
    bench.warm(url, everyone, c)
    bench.warm(url, one, c)
    many_runs, one_runs = bench.alternate(
        Side(url, everyone, f"{len(ids)} cities", pid),
        Side(url, one, "1 city", pid),
        connections=c,
        rounds=bench.plan.latency_rounds,
        run_s=bench.plan.latency_run_s,
    )
    many_p50, _ = latencies(row, f"{len(ids)} cities", many_runs)
    one_p50, _ = latencies(row, f"1 city ({ids[0]})", one_runs)
    value = many_p50 / one_p50
    row.checks.append(Check("", value, "<=", B10_TARGET))
    row.measured = ratio(value)
    row.figure(
        "platforms",
        f"{len(ids)} stand-in NGSI-LD brokers, {NATIONAL_ENTITIES} "
        f"WeatherObserved each, {ms(LATENCY_S)}",
    )
    row.figure("connections", str(c))
    add_profiles(row, many_runs)
    if value > B10_TARGET:
        many_cpu, one_cpu = cpu_per_request(many_runs), cpu_per_request(one_runs)
        row.notes.append(
            f"Cause, as measured: a {len(ids)}-city query costs {ms(many_cpu)} of gateway CPU "
            f"({ms(many_cpu / len(ids))} per city), a 1-city query {ms(one_cpu)}; the "
            "cities' answers are handled one after another on one event loop, so that CPU "
            f"time adds to the platforms' {ms(LATENCY_S)} (p50 difference "
            f"{ms(many_p50 - one_p50)})."
        )


def _nofile() -> str:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return f"{soft:,}"


def b11_workers(bench: Bench, row: RowResult) -> None:
    """Uncached 18-city queries/s with ``--workers 2`` / with one worker."""
    stack = bench.stack("lat0")
    spec = graphql_spec(first=FIRST, unique=True)
    check(stack, spec, cities=len(stack.cities), nodes=FIRST)
    config = bench.workdir / "federation-lat0.yaml"
    started = []
    one = stack.gateway if bench.workers == 1 else start_gateway(bench.group, config, workers=1)
    if one is not stack.gateway:
        started.append(one)
    two = start_gateway(bench.group, config, workers=2)
    started.append(two)
    try:
        c = B11_CONNECTIONS
        bench.warm(one.url, spec, c)
        bench.warm(two.url, spec, c)
        sim0 = procfs.cpu_seconds(stack.sim.process.pid)
        workers0 = procfs.cpu_by_process(two.pid)
        one_runs, two_runs = bench.alternate(
            Side(one.url, spec, "1 worker", one.pid),
            Side(two.url, spec, "2 workers", two.pid),
            connections=c,
            rounds=bench.plan.throughput_rounds,
            run_s=bench.plan.b4_s // 2 or 1,
        )
        sim_cpu = procfs.cpu_seconds(stack.sim.process.pid) - sim0
        workers = procfs.cpu_by_process(two.pid)
    finally:
        for server in started:
            bench.group.stop(server.process)
    one_rate, two_rate = rate(one_runs), rate(two_runs)
    value = two_rate / one_rate
    row.checks.append(Check("", value, ">=", B11_TARGET))
    row.measured = f"{ratio(value)} ({two_rate:.0f}/s against {one_rate:.0f}/s)"
    wall = sum(r.result.duration_s for r in one_runs + two_runs)
    for label, runs in (("1 worker", one_runs), ("2 workers", two_runs)):
        row.figure(
            label,
            f"{rate(runs):.1f} queries/s, {cpu_per_request(runs) * 1e6:,.0f} µs of gateway CPU "
            f"per query, gateway {100 * _busy(runs):.0f}% of one core",
        )
    split = sorted(
        (cpu - workers0.get(pid, 0.0) for pid, cpu in workers.items() if pid != two.pid),
        reverse=True,
    )[:2]  # the two busiest children: the workers (not a helper process of the supervisor)
    two_wall = sum(r.result.duration_s for r in two_runs)
    row.figure(
        "the two workers' CPU during the 2-worker runs",
        ", ".join(f"{100 * s / two_wall:.0f}%" for s in split)
        + " of one core each (uvicorn's workers share one listening socket: wrk's "
        f"{B11_CONNECTIONS} kept-alive connections are spread as the workers accept them)",
    )
    row.figure("citysim CPU busy", f"{100 * sim_cpu / wall:.0f}% of one core (both sides)")
    row.figure("connections", f"{B11_CONNECTIONS}; CPUs: {os.cpu_count()}")
    if value < B11_TARGET:
        two_busy = _busy(two_runs)
        row.notes.append(
            f"Cause, as measured: {os.cpu_count()} CPUs for the two workers, citysim "
            f"({100 * sim_cpu / wall:.0f}% of a core) and wrk: the two workers got "
            f"{100 * two_busy:.0f}% of one core together (one worker "
            f"{100 * _busy(one_runs):.0f}%), at {cpu_per_request(two_runs) * 1e6:,.0f} µs per "
            f"query against {cpu_per_request(one_runs) * 1e6:,.0f} µs with one: the workers "
            "scale with the CPU left to them, not past it."
        )
