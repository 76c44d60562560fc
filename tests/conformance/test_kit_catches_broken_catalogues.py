"""The catalogue kit fails catalogue adapters that break the contract, each at the check for
its bug; the DCAT-AP-SE adapter itself passes the same checks (``broken_catalogues.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.broken_catalogues import BROKEN
from tests.conformance.kit_runs import failures, outcomes

MODULE = Path(__file__).resolve().parent / "broken_catalogues.py"


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    return outcomes(MODULE, BROKEN, tmp_path_factory.mktemp("kit") / "report.xml")


def test_the_correct_adapter_passes_every_targeted_check(ran: dict[str, dict[str, str]]) -> None:
    good = ran["TestGood"]
    assert len(good) >= len({c for _, c, _ in BROKEN.values()})
    assert {name: text[:300] for name, text in good.items() if text} == {}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_catalogue_adapter_fails_its_check(
    name: str, ran: dict[str, dict[str, str]]
) -> None:
    _, check, words = BROKEN[name]
    assert ran[f"Test{name}"], f"no check of Test{name} ran"
    failed = failures(ran[f"Test{name}"], check)
    assert failed, f"Test{name} passed {check}, yet the adapter is broken"
    assert any(words in text for text in failed.values()), next(iter(failed.values()))[:1500]
