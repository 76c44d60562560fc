"""``caap assess``: every city and every check in the JSON, the exit status, bad input."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from adapters.registry import AdapterRegistry
from gateway.assessment.command import run_assess
from gateway.assessment.profile import load_profile


def test_json_lists_all_18_cities_and_every_check_and_the_exit_status_says_a_must_failed(
    assessed: tuple[int, dict[str, Any]],
) -> None:
    status, report = assessed
    checks = [c["id"] for c in report["checks"]]
    assert checks == [c.id for c in load_profile().checks]
    assert len(report["cities"]) == 18
    for city in report["cities"]:
        assert list(city["results"]) == checks
    assert all(c["source"]["name"] and c["source"]["url"] for c in report["checks"])
    meets = {c["id"] for c in report["cities"] if c["meetsMust"]}
    assert "stockholm" in meets
    assert "malmo" not in meets
    assert status == 1


def _assess(config: Path, *cities: str, fmt: str = "text") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = asyncio.run(
        run_assess(
            config, AdapterRegistry.from_entry_points(), cities=cities, fmt=fmt, out=out, err=err
        )
    )
    return status, out.getvalue(), err.getvalue()


def test_a_city_that_meets_every_must_check_exits_zero(spread_federation: Path) -> None:
    status, out, err = _assess(spread_federation, "stockholm")
    assert status == 0, out
    assert "stockholm" in out
    assert "0 must-check failures" in out
    assert err == ""


def test_a_city_failing_a_must_check_exits_non_zero(spread_federation: Path) -> None:
    status, out, _ = _assess(spread_federation, "skelleftea")
    assert status == 1
    assert "skelleftea ids.persistent [must]" in out


def test_an_unknown_city_is_named_and_nothing_is_measured(spread_federation: Path) -> None:
    status, out, err = _assess(spread_federation, "atlantis")
    assert status == 2
    assert out == ""
    assert "no city 'atlantis'" in err


def test_a_wrong_federation_file_is_reported_with_its_key(tmp_path: Path) -> None:
    bad = tmp_path / "federation.yaml"
    bad.write_text("cities:\n  malmo: {name: Malmö}\n", encoding="utf-8")
    status, out, err = _assess(bad)
    assert status == 2
    assert out == ""
    assert "cities.malmo" in err
