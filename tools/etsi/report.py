"""The pass table: every test of a Robot Framework ``output.xml``, and the Markdown page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tools.etsi.causes import cause_of

MAX_REASON = 240


@dataclass(frozen=True, slots=True)
class Outcome:
    """One test: its group, robot file, name, PASS/FAIL/SKIP and, unless passed, why."""

    group: str
    file: str
    name: str
    status: str
    reason: str


def outcomes(output_xml: Path, suite_root: Path, group: str) -> list[Outcome]:
    """Every test in ``output_xml``, in the order the suite ran them."""
    tree = ET.parse(output_xml)  # noqa: S314 - written by robot a moment ago
    found: list[Outcome] = []
    for suite in tree.iter("suite"):
        source = suite.get("source", "")
        for test in suite.findall("test"):
            status = test.find("status")
            state = status.get("status", "FAIL") if status is not None else "FAIL"
            message = (status.text or "") if status is not None else ""
            try:
                file = str(Path(source).relative_to(suite_root))
            except ValueError:
                file = Path(source).name
            found.append(Outcome(group, file, test.get("name", ""), state, _reason(message)))
    return found


def _reason(message: str) -> str:
    text = " ".join(message.split())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def markdown(results: list[Outcome], *, dialect: str, seconds: float, suite: str) -> str:
    """The page ``docs/conformance-ngsi-ld.md``."""
    lines = [
        "# citysim's NGSI-LD broker against the ETSI NGSI-LD test suite",
        "",
        "Written by `make conformance` (`python -m tools.etsi`); do not edit by hand.",
        f"Broker: citysim, dialect `{dialect}`, empty world (the suite creates its own "
        f"entities). Suite: `{suite}` (ETSI, BSD-3-Clause). Run time: {seconds:.0f} s.",
        "",
        "The suite runs from a temporary copy whose `resources/variables.py` points at the "
        "broker (core context v1.8). The broker resolves the suite's @context URLs from "
        "citysim/data/contexts (never the network) and caps temporal answers at "
        "10 instances per attribute (`tools/etsi/broker.py`), so the pagination tests see "
        "206 answers. The Consumption groups are run: Entity and TemporalEntity.",
        "",
        "| group | passed | failed | skipped | total | pass rate |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    groups = sorted({r.group for r in results})
    for group in [*groups, "all"]:
        mine = [r for r in results if group in ("all", r.group)]
        counts = Counter(r.status for r in mine)
        rate = 100.0 * counts["PASS"] / len(mine) if mine else 0.0
        lines.append(
            f"| {group} | {counts['PASS']} | {counts['FAIL']} | {counts['SKIP']} "
            f"| {len(mine)} | {rate:.1f}% |"
        )
    failing = [r for r in results if r.status != "PASS"]
    by_cause: dict[str, list[Outcome]] = {}
    for r in failing:
        by_cause.setdefault(cause_of(r.file), []).append(r)
    lines += ["", "## Remaining failures by cause", ""]
    for cause, members in sorted(by_cause.items(), key=lambda item: -len(item[1])):
        names = ", ".join(sorted({m.name.split(" ", 1)[0] for m in members}))
        lines.append(f"- **{len(members)}** ({names}): {cause}")
    lines += [
        "",
        "## Every test",
        "",
        "| group | file | test | result | reason |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        reason = r.reason.replace("|", "\\|") if r.status != "PASS" else ""
        lines.append(f"| {r.group} | {r.file} | {r.name} | {r.status} | {reason} |")
    return "\n".join(lines) + "\n"
