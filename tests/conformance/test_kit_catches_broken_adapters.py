"""The conformance kit fails adapters that break the contract, each at the check for its bug.

``broken_cases.py`` holds the example adapter with one bug per class; pytest runs
it in a subprocess (as a city would run its tests), and the JUnit report says
which checks failed, and why. The correct adapter passes the same checks.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

pytest.importorskip("caap_citysense", reason="pip install -e examples/caap-adapter-citysense")

from tests.conformance.broken_cases import BROKEN

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Class -> test -> failure text ("" when it passed), for the checks each class targets."""
    report = tmp_path_factory.mktemp("kit") / "report.xml"
    checks = sorted({_narrow(check) for _, check, _ in BROKEN.values()})
    selection = " or ".join(
        [f"(Test{name} and {_narrow(check)})" for name, (_, check, _) in BROKEN.items()]
        + [f"(TestGood and ({' or '.join(checks)}))"]
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter on our own files
        [
            sys.executable,
            "-m",
            "pytest",
            str(HERE / "broken_cases.py"),
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


def _narrow(check: str) -> str:
    """A -k expression for ``check``; of the failing-platform modes, two suffice here."""
    if check == "test_a_failing_platform_gives_a_typed_error":
        return f"({check} and (500 or garbage))"
    return check


def test_the_correct_adapter_passes_every_targeted_check(
    outcomes: dict[str, dict[str, str]],
) -> None:
    good = outcomes["TestGood"]
    assert len(good) >= len({c for _, c, _ in BROKEN.values()})
    assert {name: text[:300] for name, text in good.items() if text} == {}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_adapter_fails_its_check(name: str, outcomes: dict[str, dict[str, str]]) -> None:
    _, check, words = BROKEN[name]
    ran = outcomes[f"Test{name}"]
    assert ran, f"no check of Test{name} ran"
    failed = {test: text for test, text in ran.items() if text and test.startswith(check)}
    assert failed, f"Test{name} passed {check}, yet the adapter is broken"
    assert any(words in text for text in failed.values()), next(iter(failed.values()))[:1500]
