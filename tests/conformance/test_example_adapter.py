"""The conformance kit against the example third-party adapter, found through its entry point.

``examples/caap-adapter-citysense`` is a separate distribution (``make`` installs it
with ``pip install -e``); the registry loads it like any plugin.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.registry import AdapterRegistry
from adapters.testing import AdapterConformance, Platform

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "caap-adapter-citysense"
REGISTRY = AdapterRegistry.from_entry_points()

sample = pytest.importorskip(
    "caap_citysense.sample", reason="install it: pip install -e examples/caap-adapter-citysense"
)
stub = pytest.importorskip("caap_citysense.stub")


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with stub.StubServer(sample.STATIONS, token=sample.TOKEN) as server:
        yield Platform(server.url, {"WeatherObserved": sample.EXPECTED})


def test_the_registry_finds_it_in_its_own_distribution() -> None:
    entry = REGISTRY.kinds()["citysense"]
    assert entry.origin == "caap_citysense:CitySenseAdapter (caap-adapter-citysense)"
    module = sys.modules[entry.factory.__module__]
    assert Path(module.__file__ or "").is_relative_to(EXAMPLE), "not the copy under examples/"


class TestExampleThirdPartyAdapter(AdapterConformance):
    adapter_class = REGISTRY.get("citysense")
    secrets = (sample.TOKEN,)

    def config_for(self, url: str) -> dict[str, Any]:
        return {"url": url, "api_token": sample.TOKEN, "per_page": 3}


def test_its_own_test_suite_passes_where_a_city_runs_it() -> None:
    """``pytest`` in the example's directory, as the city that wrote it would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
