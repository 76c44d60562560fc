"""The peer section of ``bench/results.md``: rows, ratios, targets, and how they were measured.

The section sits between two markers, so ``python -m bench.peers`` replaces only
it and ``python -m bench`` (which rewrites the rest of the file) carries it over.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from bench.peers.hive import NODE_MODULES
from bench.peers.run import (
    CONNECTIONS,
    ENTITIES,
    HIVE_CONCURRENCY,
    PER_CITY,
    Measured,
    PeerResults,
    PeerRow,
    Profiled,
)
from bench.peers.variants import FIRST, VARIANT_TITLES
from bench.profile import areas, libraries, summarise

BEGIN = "<!-- peers: begin (python -m bench.peers writes this section) -->"
END = "<!-- peers: end -->"
RATE_TARGET = 1.5
"""Issue 17 item 2: caap req/s at least 1.5x Hive's on the ``variable`` variant ..."""
CPU_TARGET = 2 / 3
"""... and at most two thirds of its CPU per request."""
ROOTS_TARGET = 1.5
"""18 aliased roots cost at most 1.5x one root over the same 18 cities."""


def extract(text: str) -> str | None:
    """The peer section of ``text`` (markers included), or None."""
    start = text.find(BEGIN)
    end = text.find(END, start)
    if start < 0 or end < 0:
        return None
    return text[start : end + len(END)]


def splice(text: str, section: str) -> str:
    """``text`` with its peer section replaced by ``section`` (appended when it has none)."""
    old = extract(text)
    if old is not None:
        return text.replace(old, section)
    return text.rstrip("\n") + "\n\n" + section + "\n"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _rate(per_s: float) -> str:
    return f"{per_s:,.1f}" if per_s < 100 else f"{per_s:,.0f}"


def _verdict(row: PeerRow) -> str:
    if row.variant != "variable":
        return "-"
    rate = row.caap.per_s / row.hive.per_s
    cpu = row.caap.cpu_per_request_s / row.hive.cpu_per_request_s
    ok = rate >= RATE_TARGET and cpu <= CPU_TARGET
    return f"{'pass' if ok else 'FAIL'} (>= {RATE_TARGET}; <= {CPU_TARGET:.2f})"


def table(rows: Sequence[PeerRow]) -> list[str]:
    """The peer rows as a markdown table."""
    out = [
        "| requests | platforms | cities x asked (held) | caap req/s | Hive req/s "
        "| req/s caap/Hive | caap CPU/req | Hive CPU/req | CPU caap/Hive | p50 caap / Hive "
        "| upstream calls/req caap / Hive | target (item 2) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        c, h = r.caap, r.hive
        out.append(
            f"| {VARIANT_TITLES[r.variant]} | {r.latency_ms} ms | {r.cities} x {FIRST} ({r.held}) "
            f"| {_rate(c.per_s)} | {_rate(h.per_s)} | {c.per_s / h.per_s:.2f} "
            f"| {_ms(c.cpu_per_request_s)} | {_ms(h.cpu_per_request_s)} "
            f"| {c.cpu_per_request_s / h.cpu_per_request_s:.2f} "
            f"| {c.p50_s * 1000:.1f} / {h.p50_s * 1000:.1f} ms "
            f"| {c.calls_per_request:.2f} / {h.calls_per_request:.2f} | {_verdict(r)} |"
        )
    return out


def _busy(m: Measured) -> float:
    """Share of one core the gateway's answered requests took during its runs."""
    return m.cpu_per_request_s * m.per_s


def causes(rows: Sequence[PeerRow]) -> list[str]:
    """For each missed target of a ``variable`` row: what the run itself shows."""
    out = []
    for r in rows:
        if r.variant != "variable" or _verdict(r).startswith("pass"):
            continue
        c, h = r.caap, r.hive
        bound = "CPU-bound" if _busy(c) > 0.85 else "not CPU-bound"
        out.append(
            f"- {r.cities} city(ies), {r.latency_ms} ms, {r.held} held: caap-gateway spends "
            f"{_ms(c.cpu_per_request_s)} of CPU per request against Hive's "
            f"{_ms(h.cpu_per_request_s)}, and was {bound} ({_busy(c):.0%} of its core, Hive "
            f"{_busy(h):.0%}); at that cost one core allows {1 / c.cpu_per_request_s:,.0f} "
            f"req/s (Hive {1 / h.cpu_per_request_s:,.0f}). See bench/profile.md."
        )
    return out


def _hive_version() -> str:
    try:
        data = json.loads((NODE_MODULES / "@graphql-hive" / "gateway" / "package.json").read_text())
    except (OSError, ValueError):
        return "unknown"
    return str(data.get("version", "unknown"))


def section(
    results: PeerResults,
    *,
    when: str,
    commit: str,
    load: str = "",
    via: str = "python -m bench.peers",
) -> str:
    """The whole peer section, markers included."""
    plan = results.plan
    out = [
        BEGIN,
        "## Peers: caap-gateway and Hive Gateway, side by side",
        "",
        f"Written by `{via}{' --quick' if plan.name == 'quick' else ''}` "
        f"({'`make bench`' if via == 'python -m bench' else '`make bench-peers`'}) on {when}, "
        f"commit {commit}: every row below comes from this one run, the two gateways taking "
        f"turns against the same platforms. Concurrency per city: caap-gateway at most "
        f"{PER_CITY} connections and calls in flight to each city (`max_concurrent`); Hive "
        f"Gateway {HIVE_CONCURRENCY}; wrk keeps {CONNECTIONS} requests in flight, so both "
        f"have at most {CONNECTIONS} calls in flight to a city.",
        "",
        *table(results.rows),
        "",
    ]
    if results.roots is not None:
        many, one = results.roots
        value = many.cpu_per_request_s / one.cpu_per_request_s
        verdict = "pass" if value <= ROOTS_TARGET else "FAIL"
        out += [
            f"caap-gateway alone, each differs (a variable), 0 ms: 18 aliased roots "
            f"{_ms(many.cpu_per_request_s)} of CPU per request ({_rate(many.per_s)} req/s), one "
            f"root over the same 18 cities (first {FIRST * 18}) {_ms(one.cpu_per_request_s)} "
            f"({_rate(one.per_s)} req/s): **{value:.2f}x** (target <= {ROOTS_TARGET}: "
            f"{verdict}).",
            "",
        ]
    found = causes(results.rows)
    if found:
        out += ["Missed targets, as measured:", "", *found, ""]
    pinning = (
        "each gateway pinned to CPU 0 (one core each, in turn), wrk and the platforms to the "
        "other CPUs"
        if results.pinned
        else "nothing pinned (one CPU)"
    )
    out += [
        "How:",
        "",
        f"- Hive Gateway {_hive_version()} (npm, pinned by `bench/peers/package-lock.json`), "
        "one process, `NODE_ENV=production`, serving a GraphQL Mesh supergraph with one "
        "OpenAPI subgraph per city (`bench/peers/openapi.json`); caap-gateway "
        "`caap serve --workers 1`.",
        f"- Platforms: 18 stand-in NGSI-LD brokers (`bench/peers/platforms.py`, "
        f"{ENTITIES} WeatherObserved entities each, pages rendered once per query string), "
        "latency switched between the 0 ms and 50 ms rows.",
        f"- Both gateways ask {FIRST} entities per city, one upstream call per city and "
        "request (`calls/req` shows coalescing). Hive reads the 20 it asks for; caap-gateway "
        "fetches and maps every matching entity of each city (all it holds: the `held` "
        "figure) to give one global order, newest first; the rows with 20 held show the "
        "two gateways doing the same upstream work. The 18-city requests have 18 aliased root "
        "fields on both sides. The per-request value is an `observedAfter` time for "
        "caap-gateway and the same `q=dateObserved>=...` for Mesh; the identical variant "
        "sends one fixed time.",
        f"- Concurrency: wrk with {CONNECTIONS} connections, so at most {CONNECTIONS} "
        f"requests in flight. Hive Gateway: {HIVE_CONCURRENCY} (@whatwg-node/node-fetch "
        "passes no agent of its own; nothing in the Mesh config limits it). caap-gateway: "
        f"{PER_CITY} connections and {PER_CITY} calls per city (`max_connections_per_city`, "
        "bulkhead), so nothing queues behind its cap: the same concurrency per city on both "
        "sides.",
        "- caap-gateway keeps nothing between requests: cache, response cache and "
        "stale windows 0 s, no rate limit; single-flight joins an identical call in flight "
        "only when it started after the request arrived (ADR 0025). Hive Gateway's "
        "inbound de-duplication of identical requests is off by default, as here.",
        f"- {pinning}." + (f" Machine during the run: {load} (every process)." if load else ""),
        f"- Per row: one checked request each (HTTP 200, no errors, every entity), "
        f"{plan.warmup_s} s warm-up each, then {plan.rounds} round(s) of {plan.run_s} s, "
        "taking turns; req/s (answered) over all rounds, p50 of the median round. CPU: "
        "utime+stime from /proc of the gateway process and its children, from an idle "
        "gateway before each run to an idle one after it, divided by the requests sent "
        f"(answered, plus the {CONNECTIONS} wrk leaves in flight when it stops: the load is "
        "a closed loop); upstream calls per request likewise from the platforms' counters.",
        END,
    ]
    return "\n".join(out)


def cost_model(runs: Sequence[Profiled]) -> list[str]:
    """CPU per request split into per fetched entity, per returned entity, per city, per root
    field and the rest, from the five profiled shapes (see ``bench.peers.run.PROFILED``)."""
    by = {p.name: p.measured.cpu_per_request_s for p in runs}
    needed = ("1-city", "1-city-holding-20", "1-city-100-asked", "1-root-18-cities")
    if not all(n in by for n in (*needed, "18-aliased-roots")):
        return []
    one, held20, asked100, single = (by[n] for n in needed)
    fetched = (one - held20) / (ENTITIES - FIRST)
    returned = (asked100 - one) / (ENTITIES - FIRST)
    city = (single - one - 17 * ENTITIES * fetched - 17 * FIRST * returned) / 17
    root = (by["18-aliased-roots"] - single) / 17
    rest = one - root - city - ENTITIES * fetched - FIRST * returned
    return [
        f"- per entity fetched from a platform (mapped, filtered, ordered): "
        f"{fetched * 1e6:,.1f} µs (1 city holding {ENTITIES} against {FIRST}, {FIRST} asked)",
        f"- per entity returned (merged, converted, serialised): {returned * 1e6:,.1f} µs "
        f"(1 city, {ENTITIES} asked against {FIRST})",
        f"- per city, beyond its entities: {city * 1e6:,.0f} µs (one root over 18 cities "
        "against 1 city)",
        f"- per root field, beyond its city: {root * 1e6:,.0f} µs (18 aliased roots against "
        "one root over the same 18 cities)",
        f"- per request, the rest: {rest * 1e6:,.0f} µs",
    ]


def _shares(pairs: Sequence[tuple[str, float]], top: int) -> str:
    return ", ".join(f"{name} {share:.0%}" for name, share in pairs[:top])


def profile_summary(runs: Sequence[Profiled], *, load: str) -> str:
    """Markdown: each profiled run's figures and where its samples were, and the cost model."""
    out = [
        "# caap-gateway profiles (python -m bench.peers --profile)",
        "",
        "Variant: each request differs in a variable (in `1-city-document`: in the "
        "document); platforms at 0 ms; wrk with "
        f"{CONNECTIONS} connections; py-spy at 100 Hz, on-CPU samples only. "
        f"Machine during the run: {load}.",
        "",
        "Cost model (CPU per request):",
        "",
        *cost_model(runs),
        "",
    ]
    for p in runs:
        text = p.stacks.read_text() if p.stacks.exists() else ""
        m = p.measured
        out += [
            f"## {p.name}: {p.roots} root(s), {p.cities} city(ies), {p.entities} entities "
            f"asked and {p.held} held per city",
            "",
            f"- {m.per_s:,.1f} req/s, {_ms(m.cpu_per_request_s)} CPU per request, "
            f"{m.calls_per_request:.2f} upstream calls per request",
            f"- areas (innermost gateway/adapter module, else the leaf's library): "
            f"{_shares(areas(text), 14)}",
            f"- own time by library: {_shares(libraries(text), 10)}",
            f"- {summarise(text, top=12)}",
            "",
        ]
    return "\n".join(out)
