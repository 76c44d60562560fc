"""``python -m tools.etsi``: run the ETSI suite's consumption groups against citysim.

Starts a citysim broker on a free loopback port, runs the Entity and TemporalEntity
consumption groups of the suite (a patched temporary copy), prints the pass table and
writes it to ``docs/conformance-ngsi-ld.md``. Exit status 0 even when tests fail (the
table is the result); non-zero only when the run itself could not happen.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tools.etsi.broker import start_broker
from tools.etsi.report import Outcome, markdown, outcomes
from tools.etsi.suite import SuiteMissing, locate, robot, working_copy

REPO = Path(__file__).resolve().parents[2]
GROUPS = (
    "TP/NGSI-LD/ContextInformation/Consumption/Entity",
    "TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity",
)


async def run(groups: tuple[str, ...], dialect: str, output: Path) -> int:
    """Run ``groups``; write the table to ``output``; 0 on a completed run."""
    try:
        suite = locate(REPO)
    except SuiteMissing as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 2
    binary = robot(REPO, suite)
    started = time.monotonic()
    runner, url = await start_broker(dialect)  # type: ignore[arg-type]
    results: list[Outcome] = []
    try:
        with tempfile.TemporaryDirectory(prefix="caap-etsi-") as tmp:
            copy = working_copy(suite, Path(tmp), url)
            for group in groups:
                out = Path(tmp) / "out" / group.rsplit("/", 1)[-1]
                process = await asyncio.create_subprocess_exec(
                    str(binary), "--outputdir", str(out), "--output", "output.xml",
                    "--log", "NONE", "--report", "NONE", "--console", "dotted", group,
                    cwd=copy, stdout=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
                await process.wait()
                xml = out / "output.xml"
                if not xml.exists():
                    print(f"conformance: robot wrote no {xml} for {group}", file=sys.stderr)
                    return 1
                results += outcomes(xml, copy, group.rsplit("/", 1)[-1])
    finally:
        await runner.cleanup()
    seconds = time.monotonic() - started
    page = markdown(results, dialect=dialect, seconds=seconds, suite=str(suite))
    await asyncio.to_thread(output.write_text, page, encoding="utf-8")
    start = page.index("| group | passed")
    print(page[start : page.index("\n\n", start)])
    print(f"wrote {output} ({len(results)} tests, {seconds:.0f} s)")
    return 0


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m tools.etsi", description=__doc__)
    parser.add_argument("--dialect", default="scorpio")
    parser.add_argument("--group", action="append", help="a TP/... directory (repeatable)")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "conformance-ngsi-ld.md")
    args = parser.parse_args()
    groups = tuple(args.group) if args.group else GROUPS
    sys.exit(asyncio.run(run(groups, args.dialect, args.output)))


if __name__ == "__main__":
    main()
