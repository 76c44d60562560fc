"""What the rows share: the plan (how long, how much), the stacks of processes, wrk runs.

A stack is citysim plus a gateway federating its 18 cities. Four kinds serve
the rows: ``lat50`` (platforms answering after 50 ms; per-city timeout 0.5 s for
B7), ``lat0`` (no added latency: the gateway's own cost shows), ``big``
(1,000 entities per type and city, adapter pages of 1,000) and ``ttl0`` (50 ms,
nothing cached, 50 calls per city at once: B9). A stack starts when
a row first needs it; ``release`` stops it after the last row that uses it.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import client, procfs
from bench.processes import ProcessGroup, Server, Sim, start_citysim, start_gateway
from bench.processes import write_federation as write_federation_file
from bench.profile import Sampling
from bench.queries import filled
from bench.report import RowResult, ms
from bench.wrk import NO_REQUEST, RequestSpec, Wrk, WrkResult


@dataclass(frozen=True, slots=True)
class Plan:
    """How long and how much: ``FULL`` for ``make bench``, ``QUICK`` for development."""

    name: str
    latency_rounds: int
    """B1, B2: rounds of alternating runs (the two sides of the ratio take turns)."""
    latency_run_s: int
    throughput_rounds: int
    """B3: rounds of alternating runs."""
    throughput_run_s: int
    b4_s: int
    b5_s: int
    b7_healthy_s: int
    b7_hanging_s: int
    """Longer than the breaker's open period (15 s), so half-open probes are measured too."""
    b7_settle_s: int
    """B7: at most this long under load for the breaker to open before measuring."""
    warmup_s: int
    soak_warmup: int
    soak_warmup_cap_s: int
    soak_requests: int
    soak_cap_s: int
    """B8 stops here even when fewer than ``soak_requests`` were sent (reported)."""
    floor_repeats: int


FULL = Plan("full", 3, 8, 2, 8, 20, 15, 15, 35, 60, 1, 5_000, 90, 100_000, 300, 30)
QUICK = Plan("quick", 1, 2, 1, 2, 3, 3, 2, 3, 35, 1, 300, 30, 2_000, 30, 3)

LATENCY_S = 0.05
TIMEOUT_S = 0.5
"""The per-city timeout (``gateway.timeout_s``) of the ``lat50`` stack, which B7 relies on."""
NO_RATE_LIMIT = {"rate_limit": {"requests_per_s": 0}}
"""All the load comes from one address: the per-client rate limit would measure itself."""
BIG_ENTITIES = 1000
PER_CITY = 50
"""Connections and calls in flight per city on the ``ttl0`` stack: as many as the 50
connections of its load may need, as in the peer rows (``bench/peers/run.py``)."""
NOTHING_KEPT = {
    "cache": {"ttl_s": 0, "stale_while_revalidate_s": 0, "stale_if_error_s": 0},
    "response_cache": {"ttl_s": 0},
}


class BenchProblem(RuntimeError):
    """A measurement that cannot be trusted (failed requests, a wrong answer)."""


@dataclass(frozen=True, slots=True)
class StackSpec:
    """How to start one kind of stack."""

    latency_s: float
    entities: int
    gateway: Mapping[str, Any] = field(default_factory=dict)
    adapter: Mapping[str, Any] = field(default_factory=dict)
    dialects: str = "demo"
    """citysim's ``--dialects``: ``standard`` where a page must hold more than Stellio's 100."""


STACKS = {
    "lat50": StackSpec(LATENCY_S, 12, gateway={**NO_RATE_LIMIT, "timeout_s": TIMEOUT_S}),
    "lat0": StackSpec(0.0, 12, gateway=NO_RATE_LIMIT),
    "big": StackSpec(
        0.0,
        BIG_ENTITIES,
        gateway=NO_RATE_LIMIT,
        adapter={"page_size": BIG_ENTITIES},
        dialects="standard",
    ),
    "ttl0": StackSpec(
        LATENCY_S,
        12,
        gateway={
            **NO_RATE_LIMIT,
            **NOTHING_KEPT,
            "max_connections_per_city": PER_CITY,
            "resilience": {"bulkhead": {"max_concurrent": PER_CITY, "max_waiting": 512}},
        },
    ),
}


@dataclass(frozen=True, slots=True)
class Stack:
    """A running citysim and the gateway in front of it."""

    name: str
    sim: Sim
    gateway: Server

    @property
    def cities(self) -> tuple[str, ...]:
        """City ids in federation order."""
        return tuple(self.sim.urls)


@dataclass(frozen=True, slots=True)
class Run:
    """One measured wrk run, the CPU time of the watched process, and its profile."""

    result: WrkResult
    cpu_s: float | None = None
    profile: str | None = None

    @property
    def cpu_per_request_s(self) -> float | None:
        """CPU seconds of the watched process per request of the run."""
        if self.cpu_s is None or not self.result.requests:
            return None
        return self.cpu_s / self.result.requests


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a ratio: where to send what, and which process to watch."""

    url: str
    spec: RequestSpec
    what: str
    watch: int | None = None


def say(text: str) -> None:
    """Progress, on stderr."""
    print(f"bench: {text}", file=sys.stderr, flush=True)


class Bench:
    """The plan, wrk, the processes, the running stacks; and py-spy when profiling."""

    def __init__(
        self,
        plan: Plan,
        wrk: Wrk,
        group: ProcessGroup,
        workdir: Path,
        workers: int,
        py_spy: str | None = None,
    ) -> None:
        self.plan = plan
        self.wrk = wrk
        self.group = group
        self.workdir = workdir
        self.workers = workers
        self.py_spy = py_spy
        self._stacks: dict[str, Stack] = {}
        self._profiles = 0

    def stack(self, name: str) -> Stack:
        """The running stack ``name``, started if need be."""
        if name in self._stacks:
            return self._stacks[name]
        spec = STACKS[name]
        say(
            f"starting stack {name}: citysim ({spec.entities} entities, "
            f"{spec.latency_s * 1000:.0f} ms) and the gateway ({self.workers} worker(s))"
        )
        sim = start_citysim(
            self.group, latency_s=spec.latency_s, entities=spec.entities, dialects=spec.dialects
        )
        try:
            config = write_federation_file(
                self.workdir / f"federation-{name}.yaml",
                sim.urls,
                gateway=spec.gateway or None,
                adapter_options=spec.adapter or None,
            )
            gateway = start_gateway(self.group, config, workers=self.workers)
        except BaseException:
            self.group.stop(sim.process)
            raise
        self._stacks[name] = Stack(name, sim, gateway)
        return self._stacks[name]

    def release(self, name: str) -> None:
        """Stop stack ``name`` if it runs."""
        stack = self._stacks.pop(name, None)
        if stack is not None:
            self.group.stop(stack.gateway.process)
            self.group.stop(stack.sim.process)

    def load(
        self,
        url: str,
        spec: RequestSpec,
        *,
        connections: int,
        duration_s: float,
        stop_after: int = 0,
        until: Callable[[], bool] | None = None,
        watch: int | None = None,
        profile: bool = False,
        what: str = "",
    ) -> Run:
        """One wrk run; ``watch``: a pid whose CPU time is read before and after (and
        sampled by py-spy when ``profile`` and the bench profiles). BenchProblem if any
        request failed."""
        sampling = None
        if profile and watch is not None and self.py_spy is not None:
            self._profiles += 1
            output = self.workdir / f"profile-{self._profiles:02d}.txt"
            sampling = Sampling(self.py_spy, watch, output)
        cpu0 = procfs.cpu_seconds(watch) if watch is not None else 0.0
        try:
            result = self.wrk.run(
                url,
                spec,
                connections=connections,
                duration_s=duration_s,
                stop_after=stop_after,
                until=until,
            )
        finally:
            summary = sampling.stop() if sampling is not None else None
        cpu = procfs.cpu_seconds(watch) - cpu0 if watch is not None else None
        say(
            f"  {what or spec.path[:40]}: {result.requests} requests, "
            f"{result.requests_per_s:.1f}/s, p50 {ms(result.p50_s)}, p99 {ms(result.p99_s)}"
        )
        problems = result.problems()
        if problems:
            raise BenchProblem(f"{what}: {'; '.join(problems)}")
        return Run(result, cpu, summary)

    def warm(
        self, url: str, spec: RequestSpec, connections: int, duration_s: float | None = None
    ) -> None:
        """A short run whose figures are dropped (connections, code paths, lazy data).

        A failed request is still an error; a slow query may finish no request at all.
        """
        result = self.wrk.run(
            url, spec, connections=connections, duration_s=duration_s or self.plan.warmup_s
        )
        problems = [p for p in result.problems() if p != NO_REQUEST]
        if problems:
            raise BenchProblem(f"warm-up: {'; '.join(problems)}")

    def alternate(
        self, a: Side, b: Side, *, connections: int, rounds: int, run_s: int
    ) -> tuple[list[Run], list[Run]]:
        """``rounds`` pairs of runs, a then b: both sides see the same drift in machine load.

        The first run of side a is the one profiled.
        """
        first: list[Run] = []
        second: list[Run] = []
        for index in range(rounds):
            for side, runs in ((a, first), (b, second)):
                runs.append(
                    self.load(
                        side.url,
                        side.spec,
                        connections=connections,
                        duration_s=run_s,
                        watch=side.watch,
                        profile=side is a and index == 0,
                        what=side.what,
                    )
                )
        return first, second


def check(stack: Stack, spec: RequestSpec, *, cities: int, nodes: int | None) -> bytes:
    """One request of ``spec`` (slots filled once) must be a full, error-free answer."""
    assert spec.body is not None
    body = filled(spec.body, city=spec.cities[0] if spec.cities else "")
    raw = client.post_graphql(stack.gateway.url, body)
    client.expect_ok(raw, cities, nodes)
    return raw


def median(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)


def rate(runs: Sequence[Run]) -> float:
    """Requests per second over several runs."""
    return sum(r.result.requests for r in runs) / sum(r.result.duration_s for r in runs)


def cpu_per_request(runs: Sequence[Run]) -> float:
    """CPU seconds of the watched process per request, over several runs."""
    return sum(r.cpu_s or 0.0 for r in runs) / max(1, sum(r.result.requests for r in runs))


def latencies(row: RowResult, label: str, runs: Sequence[Run]) -> tuple[float, float]:
    """Median over rounds of p50 and of p99; adds the figures (and the CPU per request)."""
    p50 = median([r.result.p50_s for r in runs])
    p99 = median([r.result.p99_s for r in runs])
    rounds = ", ".join(f"{ms(r.result.p50_s)}/{ms(r.result.p99_s)}" for r in runs)
    cpu = (
        f"; {cpu_per_request(runs) * 1e6:,.0f} µs of CPU per request"
        if all(r.cpu_s is not None for r in runs)
        else ""
    )
    row.figure(
        label,
        f"p50 {ms(p50)}, p99 {ms(p99)}, {sum(r.result.requests for r in runs)} requests, "
        f"{rate(runs):.1f}/s{cpu} (per round p50/p99: {rounds})",
    )
    return p50, p99


def add_profiles(row: RowResult, runs: Sequence[Run]) -> None:
    """A figure for each profiled run."""
    for run in runs:
        if run.profile is not None:
            row.figure("profile of the gateway (py-spy)", run.profile)
