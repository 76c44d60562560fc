"""The conformance kit fails adapters that break the contract, each at the check for its bug.

``broken_cases.py`` holds the example adapter with one bug per class; pytest runs
it in a subprocess (``kit_runs``), and the JUnit report says which checks failed,
and why. The correct adapter passes the same checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("caap_citysense", reason="pip install -e examples/caap-adapter-citysense")

from tests.conformance.broken_cases import BROKEN
from tests.conformance.kit_runs import failures, outcomes

MODULE = Path(__file__).resolve().parent / "broken_cases.py"


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    return outcomes(MODULE, BROKEN, tmp_path_factory.mktemp("kit") / "report.xml")


def test_the_correct_adapter_passes_every_targeted_check(ran: dict[str, dict[str, str]]) -> None:
    good = ran["TestGood"]
    assert len(good) >= len({c for _, c, _ in BROKEN.values()})
    assert {name: text[:300] for name, text in good.items() if text} == {}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_adapter_fails_its_check(name: str, ran: dict[str, dict[str, str]]) -> None:
    _, check, words = BROKEN[name]
    assert ran[f"Test{name}"], f"no check of Test{name} ran"
    failed = failures(ran[f"Test{name}"], check)
    assert failed, f"Test{name} passed {check}, yet the adapter is broken"
    assert any(words in text for text in failed.values()), next(iter(failed.values()))[:1500]
