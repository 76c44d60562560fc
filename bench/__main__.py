"""``python -m bench [--quick] [--only B1,B4,P] [--workers N] [--profile] [--out F] [--keep-logs]``.

Runs the benchmark rows against loopback processes it starts and stops itself,
prints the table and writes the results file (``bench/results.md`` for the full
run; ``$TMPDIR/caap-bench-quick-results.md`` for ``--quick``; or ``--out``).
The full run also runs the peer rows (``P``: caap-gateway and Hive Gateway side by
side, ``bench.peer_rows``) and writes their section; ``--quick`` only with ``--only P``.
``--profile`` samples the gateway with py-spy (if installed) during each row's
main run and adds where its time went to the results.
Exit status: 0 when every selected row was measured (met or not), 1 when a row
could not be measured, 2 for bad arguments or a missing tool, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from bench import machine, peer_rows, report
from bench.harness import FULL, LATENCY_S, QUICK, TIMEOUT_S, Bench, Plan, say
from bench.peers import section as peer_section
from bench.processes import ROOT, ProcessGroup
from bench.profile import find_py_spy
from bench.rows import CONNECTIONS, ROWS, RUN_ORDER, SOAK_QUERIES
from bench.wrk import Wrk, WrkError, find_wrk, wrk_version

RESULTS = ROOT / "bench" / "results.md"
QUICK_RESULTS = Path(tempfile.gettempdir()) / "caap-bench-quick-results.md"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs and a small soak")
    parser.add_argument("--only", help="comma-separated rows, e.g. B1,B4 (default: all)")
    parser.add_argument("--workers", type=int, default=1, help="gateway worker processes")
    parser.add_argument("--profile", action="store_true", help="sample the gateway with py-spy")
    parser.add_argument("--out", type=Path, help="results file (default: see above)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the work directory")
    return parser


def _selected(only: str | None, quick: bool) -> tuple[list[str], bool]:
    """The rows to run, and whether the peer rows run too."""
    if not only:
        return list(RUN_ORDER), not quick
    wanted = {part.strip().upper() for part in only.split(",") if part.strip()}
    unknown = sorted(wanted - ROWS.keys() - {peer_rows.KEY})
    if unknown:
        raise SystemExit(
            f"python -m bench: unknown row(s) {', '.join(unknown)}; rows: "
            f"{', '.join(ROWS)}, {peer_rows.KEY} (the peer rows)"
        )
    return [key for key in RUN_ORDER if key in wanted], peer_rows.KEY in wanted


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _method(plan: Plan, workers: int, profiled: bool) -> list[str]:
    lines = [
        "Processes: citysim (18 simulated NGSI-LD platforms in one process), the gateway "
        f"(`caap serve --workers {workers}`) and wrk, all on 127.0.0.1 on this machine; "
        "`CAAP_*` variables are removed from their environment.",
        f"Platform latency {LATENCY_S * 1000:.0f} ms for B1, B2, B6, B7 (per-city timeout "
        f"{TIMEOUT_S} s); none for B3, B4, B8; B5 has 1,000 entities per type and city and "
        "adapter pages of 1,000.",
        'Query: `entities(type: "WeatherObserved", first: 20, filter: {cities, '
        "observedAfter})` with nodes, pageInfo, totalCount and coverage (`first: 1000` in "
        "B5). Each request carries an `observedAfter` no other request of the run uses "
        "(years before every observation, so every entity matches): no cache can answer "
        f"it; except in B3 (one query, repeated) and B8 (a cycle of {SOAK_QUERIES} queries).",
        "The federation files are the demo's datasets for the citysim ports, with the "
        "gateway's defaults (caches, limits, breaker, audit log, INFO logging) except "
        "`rate_limit: {requests_per_s: 0}`: all load comes from one address, and the "
        "per-client rate limit would otherwise answer 429. Concurrency per city: the defaults, "
        "8 connections and 8 calls in flight at once to each city (more queue, shown by "
        "`caap_upstream_queue_wait_seconds`), except B9 (50, as the peer rows).",
        "Connections per row: "
        + ", ".join(f"{key} {c}" for key, c in CONNECTIONS.items())
        + "; B6 sends its 100 requests with aiohttp over 100 open connections. wrk runs "
        "one thread, with a 30 s socket timeout so slow answers count in the latencies.",
        f"Durations ({plan.name}): B1 and B2 {plan.latency_rounds} round(s) of "
        f"{plan.latency_run_s} s per side, the two sides taking turns (figures: medians over "
        f"rounds); B3 {plan.throughput_rounds} round(s) of {plan.throughput_run_s} s per side; "
        f"B4 {plan.b4_s} s; B5 {plan.b5_s} s; B7 {plan.b7_healthy_s} s healthy, then load "
        f"until the breaker opens (at most {plan.b7_settle_s} s), then {plan.b7_hanging_s} s "
        f"measured; B8 {plan.soak_warmup:,} warm-up requests then {plan.soak_requests:,} "
        f"(cap {plan.soak_cap_s} s). Each measured run follows a {plan.warmup_s} s warm-up run.",
        f"B9: {plan.latency_rounds} round(s) of {plan.latency_run_s} s per side at 50 "
        "connections, then at 1, one identical 1-city query against the same NGSI-LD query "
        "sent straight to citysim; B10: 290 stand-in platforms (`bench.peers.platforms`, "
        f"generated names k001..k290, 20 entities each, 50 ms), {plan.latency_rounds} "
        f"round(s) of {plan.latency_run_s} s per side, 1 connection; B11: the `lat0` "
        "stack's one-worker gateway against a `--workers 2` gateway on the same citysim, "
        f"{plan.throughput_rounds} round(s) of {max(1, plan.b4_s // 2)} s per side, "
        "16 connections.",
        "Peer rows (P1..P5, full run only): `bench.peers` with 2 rounds of 6 s per side "
        "after a 3 s warm-up (`make bench-peers` alone: 3 rounds of 8 s); their section "
        "below says how.",
        "Before each row the bench checks one answer (every city OK, no errors, the expected "
        "number of entities); a run with any failed request is an error, not a figure.",
        "CPU time and memory come from /proc (utime+stime, VmRSS, VmHWM) of the gateway "
        "process and its workers; machine CPU busy from /proc/stat (every process).",
    ]
    if profiled:
        lines.append(
            "Profiled run: py-spy sampled the gateway (100 Hz, without pausing it) during "
            "each row's main run; its own CPU use adds to the load of the machine."
        )
    return lines


def _order(key: str) -> tuple[int, int]:
    """B1..B11 by number, then P1..P5."""
    return (key.startswith(peer_rows.KEY), int(key[1:] or 0))


def _peers(
    quick: bool, workdir: Path, wrk_path: str, rows: dict[str, report.RowResult]
) -> str | None:
    """Run the peer rows (their own processes); their section, their rows added to ``rows``."""
    say("P peers: caap-gateway and Hive Gateway side by side")
    try:
        outcome = peer_rows.measure(peer_rows.plan_for(quick), workdir, wrk_path)
    except Exception as exc:
        row = report.RowResult(peer_rows.KEY, peer_rows.TITLE)
        row.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        (workdir / "peers-error.txt").write_text(traceback.format_exc())
        say(f"peers failed: {row.error}")
        rows[row.key] = row
        return None
    for row in outcome.rows:
        rows[row.key] = row
    return outcome.section


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench; the exit status is the return value."""
    args = _parser().parse_args(argv)
    if args.workers < 1:
        print("python -m bench: --workers must be at least 1", file=sys.stderr)
        return 2
    keys, peers = _selected(args.only, args.quick)
    plan = QUICK if args.quick else FULL
    py_spy = find_py_spy() if args.profile else None
    if args.profile and py_spy is None:
        print("python -m bench: --profile needs py-spy (pip install py-spy)", file=sys.stderr)
        return 2
    try:
        wrk_path = find_wrk()
    except WrkError as exc:
        print(f"python -m bench: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    workdir = Path(tempfile.mkdtemp(prefix="caap-bench-"))
    out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    chosen = ", ".join(keys + ([peer_rows.KEY] if peers else []))
    say(f"{plan.name} run of {chosen}; logs in {workdir}")
    began = time.monotonic()
    facts = machine.facts(wrk_version(wrk_path))
    busy_before = machine.busy()
    rows: dict[str, report.RowResult] = {}
    try:
        with ProcessGroup(workdir) as group:
            wrk = Wrk(wrk_path, workdir)
            bench = Bench(plan, wrk, group, workdir, args.workers, py_spy)
            for index, key in enumerate(keys):
                spec = ROWS[key]
                row = report.RowResult(key, spec.title)
                rows[key] = row
                say(f"{key} {spec.title}")
                started = machine.cpu_sample()
                try:
                    spec.run(bench, row)
                except Exception as exc:
                    row.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                    (workdir / f"{key}-error.txt").write_text(traceback.format_exc())
                    say(f"{key} failed: {row.error}")
                row.figure(
                    "machine during the row",
                    machine.busy_since(started).describe() + " (every process, ours included)",
                )
                later = {ROWS[k].stack for k in keys[index + 1 :]}
                if spec.stack not in later:
                    bench.release(spec.stack)
        section = _peers(args.quick, workdir, wrk_path, rows) if peers else None
    except KeyboardInterrupt:  # ProcessGroup has stopped everything on the way out
        say("interrupted; every process the bench started has been stopped")
        return 130
    busy_after = machine.busy()
    ordered = [rows[k] for k in sorted(rows, key=_order)]
    load = [
        ("before the run", busy_before.describe() + " (sampled for 2 s, every process)"),
        ("after the run", busy_after.describe()),
        ("duration", f"{(time.monotonic() - began) / 60:.1f} min for the whole run"),
        (
            "note",
            "the machine is shared (other engineers' test runs): absolute figures are noisy; "
            "the two sides of each ratio were measured close together to share the noise",
        ),
    ]
    text = report.markdown(
        ordered,
        mode=plan.name,
        facts=facts,
        load=load,
        method=_method(plan, args.workers, py_spy is not None),
    )
    previous = out.read_text(encoding="utf-8") if out.exists() else ""
    if section is None:  # the peer rows did not run: the section of an earlier run is kept
        section = peer_section.extract(previous)
    report.write(out, peer_section.splice(text, section) if section else text)
    print()
    print(report.table(ordered))
    print(f"\nresults: {out}")
    failed = any(r.error is not None for r in ordered)
    if failed or args.keep_logs:
        print(f"logs: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
