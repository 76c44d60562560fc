"""The peer run: stand-in platforms, caap-gateway and Hive Gateway side by side, wrk on both.

One set of processes serves every row: the stand-in platforms (latency switched
between rows), caap-gateway (one worker) and Hive Gateway (one process), each
gateway pinned to CPU 0 and wrk plus the platforms to the other CPUs (on a
machine with at least two), so each gateway has one core. For each latency,
variant and scenario: one checked request each (HTTP 200, no errors, every
entity, one upstream call per city unless coalesced), a warm-up run each, then
rounds taking turns (caap, Hive, caap, Hive ...); figures are over all rounds.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from bench import client, procfs
from bench.peers import hive
from bench.peers.variants import FIRST, Ask, Variant, asks, caap_query
from bench.processes import (
    ProcessGroup,
    Server,
    Started,
    StartError,
    clean_env,
    start_gateway,
    write_federation,
)
from bench.profile import Sampling
from bench.queries import filled
from bench.wrk import NO_REQUEST, RequestSpec, Wrk

LATENCIES_MS = (0, 50)
CONNECTIONS = 50
"""wrk connections per run: at most 50 requests in flight, so at most 50 calls per city."""
PER_CITY = CONNECTIONS
"""caap-gateway's cap on connections and calls in flight per city. Hive Gateway caps
nothing: @whatwg-node/node-fetch sends through Node's ``http.globalAgent`` (Node 20:
keepAlive, ``maxSockets`` Infinity), one connection per upstream call in flight. With
``CONNECTIONS`` requests in flight both gateways then have at most ``PER_CITY`` calls in
flight to each city."""
HIVE_CONCURRENCY = (
    "no cap: Node's http.globalAgent (keepAlive, maxSockets Infinity), one connection per "
    "call in flight"
)
ENTITIES = 100
ONE_CITY = "malmo"
RUN_SPAN_S = 1_000_000
"""``@T@`` timestamps per wrk run: about 200 runs stay before 2007, years before the data."""
IDLE_CPU_SHARE = 0.05
DRAIN_STEP_S = 0.25
START_TIMEOUT_S = 60.0
PROFILE_S = 15
LONGEST_RUN_S = 24
"""A run in which no request completed is repeated twice as long, up to this."""


@dataclass(frozen=True, slots=True)
class PeerPlan:
    """How long: ``FULL`` for ``make bench-peers``, ``QUICK`` for development and smoke runs."""

    name: str
    rounds: int
    run_s: int
    warmup_s: int


FULL = PeerPlan("full", 3, 8, 4)
BENCH = PeerPlan("bench", 2, 6, 3)
"""Inside ``make bench`` (``python -m bench``), which runs every other row too."""
QUICK = PeerPlan("quick", 1, 6, 2)


@dataclass(frozen=True, slots=True)
class Measured:
    """One gateway over the rounds of one row."""

    requests: int
    duration_s: float
    cpu_s: float
    p50_s: float
    p99_s: float
    upstream_calls: int
    runs: int = 1

    @property
    def per_s(self) -> float:
        """Requests per second."""
        return self.requests / self.duration_s

    @property
    def issued(self) -> int:
        """Requests sent: those answered, and one still in flight per connection at the end."""
        return self.requests + self.runs * CONNECTIONS

    @property
    def cpu_per_request_s(self) -> float:
        """Gateway CPU seconds (user + system, every thread and child) per request sent."""
        return self.cpu_s / max(1, self.issued)

    @property
    def calls_per_request(self) -> float:
        """Upstream calls per request sent (the platforms' counters)."""
        return self.upstream_calls / max(1, self.issued)


@dataclass(frozen=True, slots=True)
class PeerRow:
    """One row of the peer table."""

    variant: Variant
    latency_ms: int
    cities: int
    caap: Measured
    hive: Measured
    held: int = ENTITIES
    """Entities each platform holds (caap-gateway fetches every one that matches)."""


@dataclass(slots=True)
class PeerResults:
    """Everything the section of results.md needs."""

    plan: PeerPlan
    rows: list[PeerRow] = field(default_factory=list)
    roots: tuple[Measured, Measured] | None = None
    """caap-gateway alone: 18 aliased roots, one root over the same cities (0 ms, variable)."""
    pinned: bool = False
    profiles: list[Profiled] = field(default_factory=list)


class PeerProblem(RuntimeError):
    """A wrong answer or failed requests: the row would mean nothing."""


def say(text: str) -> None:
    """Progress, on stderr."""
    print(f"bench-peers: {text}", file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Platforms:
    """The running stand-in: city id -> base URL."""

    process: Started
    urls: dict[str, str]

    def set_latency(self, ms: int) -> None:
        """Every city answers ``ms`` later from now on."""
        first = next(iter(self.urls.values()))
        status, body = client.request(f"{first}/__latency?ms={ms}", method="POST", body=b"")
        if status != 200:
            raise PeerProblem(f"the stand-in refused latency {ms} ms: {body[:200]!r}")

    def hold(self, count: int) -> None:
        """Every city holds only its first ``count`` entities from now on."""
        first = next(iter(self.urls.values()))
        status, body = client.request(f"{first}/__entities?n={count}", method="POST", body=b"")
        if status != 200:
            raise PeerProblem(f"the stand-in refused {count} entities: {body[:200]!r}")

    def requests(self) -> int:
        """Requests the platforms have served so far."""
        first = next(iter(self.urls.values()))
        status, body = client.request(f"{first}/__stats")
        if status != 200:
            raise PeerProblem(f"the stand-in's counters answered HTTP {status}")
        count: int = orjson.loads(body)["requests"]
        return count


def start_platforms(
    group: ProcessGroup, cities: Sequence[tuple[str, str, str]], *, entities: int = ENTITIES
) -> Platforms:
    """``python -m bench.peers.platforms`` for ``(id, lat, lon)`` cities holding ``entities``
    each; waits for READY."""
    argv = [
        sys.executable,
        "-m",
        "bench.peers.platforms",
        "--cities",
        ",".join(f"{c}:{lat}:{lon}" for c, lat, lon in cities),
        "--entities",
        str(entities),
    ]
    started = group.start("platforms", argv, env=clean_env(), separate_stdout=True)
    assert started.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        for line in started.stdout.read_text(errors="replace").splitlines():
            if line.startswith("READY "):
                pairs = (item.split("=") for item in line.split()[1:])
                return Platforms(started, {c: f"http://127.0.0.1:{p}" for c, p in pairs})
        if started.popen.poll() is not None:
            break
        time.sleep(0.1)
    group.stop(started)
    raise StartError(f"the stand-in platforms did not start:\n{started.tail()}")


def pin(pid: int, cpus: str) -> None:
    """Every thread of ``pid`` and its descendants on ``cpus`` (``taskset -a -p``)."""
    for member in procfs.descendants(pid):
        subprocess.run(  # noqa: S603 (taskset from PATH, our own pids)
            ["taskset", "-a", "-p", "-c", cpus, str(member)],  # noqa: S607
            capture_output=True,
            check=False,
        )


def federation_gateway() -> dict[str, object]:
    """caap-gateway's settings for the peer rows: nothing kept between requests, no rate
    limit, ``PER_CITY`` calls per city (as many as Hive may make), 18 aliases allowed."""
    return {
        "timeout_s": 5,
        "deadline_s": 10,
        "cache": {"ttl_s": 0, "stale_while_revalidate_s": 0, "stale_if_error_s": 0},
        "response_cache": {"ttl_s": 0},
        "rate_limit": {"requests_per_s": 0},
        "max_connections_per_city": PER_CITY,
        "resilience": {"bulkhead": {"max_concurrent": PER_CITY, "max_waiting": 512}},
        "limits": {"aliases": 20, "cost": 100_000},
    }


class PeerBench:
    """The running processes and wrk; measures rows."""

    def __init__(self, plan: PeerPlan, wrk: Wrk, platforms: Platforms) -> None:
        self.plan = plan
        self.wrk = wrk
        self.platforms = platforms

    def check(self, server: Server, spec: RequestSpec, expected: int, name: str) -> None:
        """One request: HTTP 200, no errors, ``expected`` entities."""
        assert spec.body is not None
        before = self.platforms.requests()
        status, raw = client.request(
            server.url + spec.path,
            method="POST",
            body=filled(spec.body).encode(),
            headers=dict(spec.headers),
        )
        calls = self.platforms.requests() - before
        entities = raw.count(b"urn:ngsi-ld:WeatherObserved:")
        if status != 200 or b'"errors"' in raw or entities != expected:
            raise PeerProblem(
                f"{name}: HTTP {status}, {entities} entities (expected {expected}), "
                f"{calls} upstream calls: {raw[:400]!r}"
            )

    def once(self, server: Server, spec: RequestSpec, duration_s: int) -> Measured:
        """One wrk run against ``server``, with its CPU time and the upstream calls it caused;
        a run in which no request completed (a slow row on a loaded machine) is run again,
        twice as long, up to ``LONGEST_RUN_S``.

        Counted from an idle server before the run to an idle server after it, so the
        requests wrk leaves in flight when it stops (one per connection: the load is a
        closed loop) are counted too: the per-request figures divide by
        ``requests + CONNECTIONS``.
        """
        while True:
            try:
                return self._once(server, spec, duration_s)
            except PeerProblem as exc:
                if str(exc) != NO_REQUEST or duration_s * 2 > LONGEST_RUN_S:
                    raise
                duration_s *= 2
                say(f"  no request completed: again for {duration_s} s")

    def _once(self, server: Server, spec: RequestSpec, duration_s: int) -> Measured:
        self.drain(server.pid)
        calls0 = self.platforms.requests()
        cpu0 = procfs.cpu_seconds(server.pid)
        result = self.wrk.run(server.url, spec, connections=CONNECTIONS, duration_s=duration_s)
        self.drain(server.pid)
        cpu = procfs.cpu_seconds(server.pid) - cpu0
        calls = self.platforms.requests() - calls0
        problems = result.problems()
        if problems:
            raise PeerProblem("; ".join(problems))
        return Measured(result.requests, result.duration_s, cpu, result.p50_s, result.p99_s, calls)

    def warm(self, server: Server, spec: RequestSpec) -> None:
        """A run whose figures are dropped; a slow query may complete no request in it."""
        with contextlib.suppress(PeerProblem):
            self._once(server, spec, self.plan.warmup_s)

    def drain(self, pid: int, timeout_s: float = 30.0) -> None:
        """Wait until ``pid`` is idle and the platforms see no call, twice in a row."""
        deadline = time.monotonic() + timeout_s
        before = (procfs.cpu_seconds(pid), self.platforms.requests())
        quiet = 0
        while quiet < 2 and time.monotonic() < deadline:
            time.sleep(DRAIN_STEP_S)
            now = (procfs.cpu_seconds(pid), self.platforms.requests())
            idle = now[0] - before[0] < IDLE_CPU_SHARE * DRAIN_STEP_S and now[1] == before[1]
            quiet = quiet + 1 if idle else 0
            before = now

    def rounds(self, sides: Sequence[tuple[Server, RequestSpec, str]]) -> list[Measured]:
        """Warm-up of each side, then rounds taking turns; totals per side."""
        for server, spec, _ in sides:
            self.warm(server, spec)
        runs: list[list[Measured]] = [[] for _ in sides]
        for _ in range(self.plan.rounds):
            for index, (server, spec, name) in enumerate(sides):
                m = self.once(server, spec, self.plan.run_s)
                say(
                    f"  {name}: {m.per_s:.1f} req/s, {m.cpu_per_request_s * 1e3:.2f} ms CPU/req, "
                    f"p50 {m.p50_s * 1e3:.1f} ms, {m.calls_per_request:.2f} calls/req"
                )
                runs[index].append(m)
        return [combine(r) for r in runs]


def combine(runs: Sequence[Measured]) -> Measured:
    """Totals over rounds; latencies: the median round's."""
    ordered = sorted(runs, key=lambda m: m.p50_s)
    middle = ordered[len(ordered) // 2]
    return Measured(
        sum(m.requests for m in runs),
        sum(m.duration_s for m in runs),
        sum(m.cpu_s for m in runs),
        middle.p50_s,
        sorted(m.p99_s for m in runs)[len(runs) // 2],
        sum(m.upstream_calls for m in runs),
        sum(m.runs for m in runs),
    )


def municipalities() -> list[tuple[str, str, str]]:
    """The 18 municipalities of the demo: (id, lat, lon)."""
    from tests.support.federation_files import municipalities as rows

    return [(m["id"], m["lat"], m["lon"]) for m in rows()]


def run(
    plan: PeerPlan,
    workdir: Path,
    wrk_path: str,
    *,
    py_spy: str | None = None,
    rows: bool = True,
) -> PeerResults:
    """Every row, from one set of processes; ``py_spy``: also record profiles afterwards
    (``rows`` False: only those)."""
    hive.ensure_installed()
    cities = municipalities()
    pinned = (os.cpu_count() or 1) >= 2
    gateway_cpus, other_cpus = ("0", f"1-{(os.cpu_count() or 2) - 1}") if pinned else ("", "")
    results = PeerResults(plan, pinned=pinned)
    with ProcessGroup(workdir) as group:
        platforms = start_platforms(group, cities)
        say("composing the Mesh supergraph and starting both gateways")
        serve = hive.compose(workdir, platforms.urls)
        config = write_federation(
            workdir / "federation-peers.yaml",
            platforms.urls,
            gateway=federation_gateway(),
            datasets=lambda _: {"WeatherObserved": {"access": "public"}},
        )
        caap = start_gateway(group, config, workers=1)
        peer = hive.start(group, serve)
        if pinned:
            pin(caap.pid, gateway_cpus)
            pin(peer.pid, gateway_cpus)
            pin(platforms.process.pid, other_cpus)
        wrk = Wrk(wrk_path, workdir, run_span_s=RUN_SPAN_S, cpus=other_cpus or None)
        bench = PeerBench(plan, wrk, platforms)
        ids = [c for c, _, _ in cities]
        if rows:
            _rows(bench, caap, peer, ids, results)
        if py_spy is not None:
            platforms.set_latency(0)
            results.profiles = profiles(bench, caap, ids, workdir, py_spy)
    return results


def _rows(
    bench: PeerBench, caap: Server, peer: Server, ids: Sequence[str], results: PeerResults
) -> None:
    """The peer rows, then caap-gateway's 18 aliased roots against one root."""
    platforms = bench.platforms
    for latency in LATENCIES_MS:
        platforms.set_latency(latency)
        for ask in asks(ids, ONE_CITY):
            say(f"{latency} ms, {ask.variant}, {len(ask.cities)} city(ies)")
            results.rows.append(_row(bench, caap, peer, ask, latency))
    platforms.set_latency(0)
    platforms.hold(FIRST)
    for ask in asks(ids, ONE_CITY):
        if ask.variant == "variable":
            say(f"0 ms, {ask.variant}, {len(ask.cities)} city(ies), {FIRST} entities per city")
            results.rows.append(_row(bench, caap, peer, ask, 0, FIRST))
    platforms.hold(ENTITIES)
    say("caap-gateway alone: 18 aliased roots, one root over 18 cities")
    aliased = caap_query(ids, "variable")
    single = caap_query(ids, "variable", aliased=False)
    bench.check(caap, single, FIRST * len(ids), "caap, one root")
    first, second = bench.rounds(
        [(caap, aliased, "caap, 18 roots"), (caap, single, "caap, 1 root")]
    )
    results.roots = (first, second)


def _row(
    bench: PeerBench, caap: Server, peer: Server, ask: Ask, latency: int, held: int = ENTITIES
) -> PeerRow:
    n = len(ask.cities)
    bench.check(caap, ask.caap, FIRST * n, "caap-gateway")
    bench.check(peer, ask.hive, FIRST * n, "Hive Gateway")
    ours, theirs = bench.rounds([(caap, ask.caap, "caap"), (peer, ask.hive, "hive")])
    return PeerRow(ask.variant, latency, n, ours, theirs, held)


@dataclass(frozen=True, slots=True)
class Profiled:
    """One profiled run of caap-gateway: what it asked, its figures, py-spy's raw stacks."""

    name: str
    roots: int
    cities: int
    entities: int
    """Asked per city."""
    held: int
    """Held per city (and fetched by caap-gateway)."""
    measured: Measured
    stacks: Path


PROFILED = (
    # name, cities (None: all), one root per city, entities asked per city, held per city
    ("1-city", (ONE_CITY,), True, FIRST, ENTITIES),
    ("1-city-holding-20", (ONE_CITY,), True, FIRST, FIRST),
    ("1-city-100-asked", (ONE_CITY,), True, ENTITIES, ENTITIES),
    ("1-root-18-cities", None, False, FIRST, ENTITIES),
    ("18-aliased-roots", None, True, FIRST, ENTITIES),
)
PROFILED_DOCUMENT = "1-city-document"
"""Also profiled: the first shape with the value in the document (parsed anew each time)."""


def profiles(
    bench: PeerBench, caap: Server, ids: Sequence[str], workdir: Path, py_spy: str
) -> list[Profiled]:
    """py-spy (raw collapsed stacks, 100 Hz) of caap-gateway on the ``variable`` variant,
    0 ms platforms: the runs that split its CPU per request into root, city and entity;
    then the first of them on the ``document`` variant."""
    out = []
    shapes = [(*shape, "variable") for shape in PROFILED]
    shapes.append((PROFILED_DOCUMENT, *PROFILED[0][1:], "document"))
    for name, chosen, aliased, first, held, variant in shapes:
        bench.platforms.hold(held)
        cities = tuple(chosen or ids)
        spec = caap_query(cities, variant, aliased=aliased, first=first)
        bench.check(caap, spec, len(cities) * first, f"caap, {name}")
        target = workdir / f"profile-{name}.txt"
        bench.warm(caap, spec)
        sampling = Sampling(py_spy, caap.pid, target)
        try:
            measured = bench.once(caap, spec, PROFILE_S)
        finally:
            sampling.stop()
        roots = len(cities) if aliased else 1
        out.append(Profiled(name, roots, len(cities), first, held, measured, target))
        bench.platforms.hold(ENTITIES)
        say(
            f"profiled {name}: {measured.per_s:.1f} req/s, "
            f"{measured.cpu_per_request_s * 1e3:.2f} ms CPU/req -> {target}"
        )
    return out
