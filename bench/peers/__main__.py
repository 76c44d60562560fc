"""``python -m bench.peers [--quick] [--out F] [--profile DIR] [--keep-logs]``.

Runs caap-gateway and Hive Gateway side by side (see ``bench.peers.run``) and
writes the peer section of ``bench/results.md`` (``--quick``:
``$TMPDIR/caap-bench-peers-quick.md``; or ``--out``), leaving the rest of the
file as it is. ``--profile DIR``: afterwards, py-spy records caap-gateway on the
``variable`` variant (1 city, 18 aliased roots, one root over 18 cities) into DIR.
Exit status: 0 when every row was measured, 1 when not, 2 for a missing tool.
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

from bench import machine
from bench.peers import hive
from bench.peers.run import FULL, QUICK, PeerProblem, run, say
from bench.peers.section import profile_summary, section, splice
from bench.processes import ROOT, StartError
from bench.profile import find_py_spy
from bench.wrk import WrkError, find_wrk

RESULTS = ROOT / "bench" / "results.md"
QUICK_RESULTS = Path(tempfile.gettempdir()) / "caap-bench-peers-quick.md"


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the peer rows; the exit status is the return value."""
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one short round per row")
    parser.add_argument("--out", type=Path, help="results file (default: see above)")
    parser.add_argument("--profile", type=Path, help="also write py-spy profiles into this folder")
    parser.add_argument(
        "--profile-only", action="store_true", help="with --profile: the profiles, no rows"
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    py_spy = find_py_spy() if args.profile else None
    if args.profile and py_spy is None:
        print("python -m bench.peers: --profile needs py-spy (pip install py-spy)", file=sys.stderr)
        return 2
    try:
        wrk_path = find_wrk()
        hive.ensure_installed()
    except (WrkError, hive.NpmError) as exc:
        print(f"python -m bench.peers: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    plan = QUICK if args.quick else FULL
    workdir = Path(tempfile.mkdtemp(prefix="caap-bench-peers-"))
    out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    say(f"{plan.name} run; logs in {workdir}")
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    started = machine.cpu_sample()
    try:
        results = run(plan, workdir, wrk_path, py_spy=py_spy, rows=not args.profile_only)
    except KeyboardInterrupt:
        say("interrupted; every process it started has been stopped")
        return 130
    except (PeerProblem, StartError, WrkError, OSError) as exc:
        (workdir / "error.txt").write_text(traceback.format_exc())
        say(f"failed: {type(exc).__name__}: {str(exc)[:500]}; logs in {workdir}")
        return 1
    load = machine.busy_since(started).describe()
    if results.rows:
        text = section(results, when=when, commit=machine.commit(), load=load)
        previous = (
            out.read_text(encoding="utf-8") if out.exists() else "# caap-gateway benchmarks\n"
        )
        out.write_text(splice(previous, text), encoding="utf-8")
        print(text)
        print(f"\nresults: {out}")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        summary = profile_summary(results.profiles, load=load)
        (args.profile / "summary.md").write_text(summary, encoding="utf-8")
        for done in results.profiles:
            shutil.copy(done.stacks, args.profile / done.stacks.name)
        print(summary)
        print(f"profiles: {args.profile}")
    if args.keep_logs:
        print(f"logs: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
