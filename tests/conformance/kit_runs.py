"""Run a module of deliberately broken adapters under the kit, as a city would run its tests.

pytest runs the module in a subprocess, selecting for each broken class the check
its bug must fail (and for ``TestGood`` every such check); the JUnit report says
which checks failed, and why.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
Broken = Mapping[str, tuple[type, str, str]]
"""Broken class name -> (adapter, the check that must fail, words its failure must say)."""


def outcomes(module: Path, broken: Broken, report: Path) -> dict[str, dict[str, str]]:
    """Class -> test -> failure text ("" when it passed), for the checks each class targets."""
    checks = sorted({narrow(check) for _, check, _ in broken.values()})
    selection = " or ".join(
        [f"(Test{name} and {narrow(check)})" for name, (_, check, _) in broken.items()]
        + [f"(TestGood and ({' or '.join(checks)}))"]
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter on our own files
        [
            sys.executable,
            "-m",
            "pytest",
            str(module),
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            selection,
            f"--junitxml={report}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert report.exists(), done.stdout[-2000:] + done.stderr[-2000:]
    results: dict[str, dict[str, str]] = defaultdict(dict)
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - our own report
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        text = "" if problem is None else (problem.get("message") or "") + (problem.text or "")
        results[case.get("classname", "").rsplit(".", 1)[-1]][case.get("name", "")] = text
    return results


def narrow(check: str) -> str:
    """A -k expression for ``check``; of the failing-platform modes, three suffice here."""
    if check.endswith("gives_a_typed_error"):
        return f"({check} and (500 or 429 or garbage))"
    return check


def failures(ran: Mapping[str, str], check: str) -> dict[str, str]:
    """The tests of ``check`` that failed, with their failure text."""
    return {test: text for test, text in ran.items() if text and test.startswith(check)}
