"""The peer rows inside ``python -m bench``: one run of ``bench.peers`` and its targets as rows
of the main table (P1..P5), its section carried into the same results file.

``make bench`` thus writes every figure of issue 17's acceptance in one run: the peer
rows (three variants, 1 and 18 cities, 0 and 50 ms) with the item 2 targets marked,
beside B1..B11. ``make bench-peers`` still runs the peer rows alone, longer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import machine
from bench.peers.run import BENCH, QUICK, PeerPlan, PeerResults, PeerRow, run
from bench.peers.section import CPU_TARGET, RATE_TARGET, ROOTS_TARGET, causes, section
from bench.report import Check, RowResult, ratio

KEY = "P"
"""What ``--only`` calls the peer rows."""
TITLE = "peers: caap-gateway / Hive Gateway, each request differing in a variable"


@dataclass(frozen=True, slots=True)
class PeerOutcome:
    """The section for results.md and the rows for the main table."""

    section: str
    rows: list[RowResult]


def plan_for(quick: bool) -> PeerPlan:
    """The peer plan of a ``python -m bench`` run (shorter than ``make bench-peers``)."""
    return QUICK if quick else BENCH


def measure(plan: PeerPlan, workdir: Path, wrk_path: str) -> PeerOutcome:
    """Run every peer row; the section and the summary rows."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    started = machine.cpu_sample()
    folder = workdir / "peers"
    folder.mkdir(parents=True, exist_ok=True)
    results = run(plan, folder, wrk_path)
    load = machine.busy_since(started).describe()
    text = section(results, when=when, commit=machine.commit(), load=load, via="python -m bench")
    return PeerOutcome(text, summary_rows(results))


def summary_rows(results: PeerResults) -> list[RowResult]:
    """One row per ``variable`` peer row holding its entities (P1..P4), and the roots row."""
    out = []
    chosen = [r for r in results.rows if r.variant == "variable" and r.held > 20]
    for index, peer in enumerate(chosen, start=1):
        out.append(_variable_row(f"{KEY}{index}", peer, results.rows))
    if results.roots is not None:
        many, one = results.roots
        row = RowResult(f"{KEY}{len(chosen) + 1}", "18 aliased roots / one root over 18 cities")
        value = many.cpu_per_request_s / one.cpu_per_request_s
        row.checks.append(Check("CPU", value, "<=", ROOTS_TARGET))
        row.measured = f"{ratio(value)} ({many.cpu_per_request_s * 1e3:.1f} / "
        row.measured += f"{one.cpu_per_request_s * 1e3:.1f} ms CPU per request)"
        row.figure("where", "the peers section below")
        out.append(row)
    return out


def _variable_row(key: str, peer: PeerRow, every: Sequence[PeerRow]) -> RowResult:
    c, h = peer.caap, peer.hive
    rate, cpu = c.per_s / h.per_s, c.cpu_per_request_s / h.cpu_per_request_s
    title = f"{TITLE}, {peer.cities} city(ies), {peer.latency_ms} ms"
    row = RowResult(key, title)
    row.checks += [
        Check("req/s", rate, ">=", RATE_TARGET),
        Check("CPU", cpu, "<=", round(CPU_TARGET, 2)),
    ]
    row.measured = f"req/s {ratio(rate)}, CPU {ratio(cpu)} ({c.per_s:.0f} / {h.per_s:.0f} req/s)"
    row.figure("where", "the peers section below: every variant, both gateways")
    cause = [line for line in causes([peer]) if line]
    row.notes += [line.removeprefix("- ") for line in cause]
    return row
