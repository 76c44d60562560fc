"""``caap check`` with cities that ask for credentials: secrets from the environment only, and
never in its report, whatever goes wrong."""

from __future__ import annotations

import io
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import pytest

from adapters.contract import AdapterFactory
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.registry import AdapterRegistry, Registered
from citysim.cluster import SimCluster
from citysim.settings import SimSettings
from gateway.cli.check import run_check

SECRET = "c0rrect-h0rse-battery-3d9"
KEY = "api-k3y-of-lund-55a0"
WRONG = "wr0ng-secret-never-shown-8c1"


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    oauth2 = {"mode": "oauth2", "client_id": "caap", "client_secret": SECRET}
    api_key = {"mode": "api_key", "header": "X-Api-Key", "key": KEY}
    settings = SimSettings(
        seed=3, cities=("malmo", "lund"), protection={"malmo": oauth2, "lund": api_key}
    )
    async with SimCluster(settings) as running:
        yield running


def registry() -> AdapterRegistry:
    factory = cast(AdapterFactory, NgsiLdAdapter)
    return AdapterRegistry([Registered("ngsi-ld", factory, "tests")])


REFERENCE = "${MALMO_SECRET}"


def federation(tmp_path: Path, cluster: SimCluster, secret: str = REFERENCE) -> Path:
    malmo, lund = cluster.urls["malmo"], cluster.urls["lund"]
    text = f"""\
    cities:
      malmo:
        name: Malmö
        kommunkod: "1280"
        adapter:
          kind: ngsi-ld
          url: {malmo}
          credentials:
            oauth2:
              token_url: {malmo}/oauth/token
              client_id: caap
              client_secret: "{secret}"
        datasets: {{WeatherObserved: {{access: public}}}}
      lund:
        name: Lund
        kommunkod: "1281"
        adapter:
          kind: ngsi-ld
          url: {lund}
          credentials: {{api_key: {{header: X-Api-Key, value: "${{LUND_KEY}}"}}}}
        datasets: {{WeatherObserved: {{access: public}}}}
    """
    path = tmp_path / "federation.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


async def check(path: Path, **env: str) -> tuple[int, str]:
    out = io.StringIO()
    status = await run_check(path, registry(), out=out, env=env)
    return status, out.getvalue()


async def test_protected_cities_answer_with_secrets_from_the_environment(
    tmp_path: Path, cluster: SimCluster
) -> None:
    status, report = await check(federation(tmp_path, cluster), MALMO_SECRET=SECRET, LUND_KEY=KEY)
    assert status == 0, report
    assert "All 2 cities answered." in report
    assert SECRET not in report
    assert KEY not in report


async def test_a_wrong_secret_fails_its_city_and_is_never_shown(
    tmp_path: Path, cluster: SimCluster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    status, report = await check(
        federation(tmp_path, cluster), MALMO_SECRET=WRONG, LUND_KEY=KEY + "x"
    )
    assert status == 1
    lines = {
        line.split()[0]: line for line in report.splitlines() if line.startswith(("malmo", "lund"))
    }
    assert (
        "UpstreamAuthError: the token endpoint refused the gateway's client credentials: "
        "invalid_client (HTTP 401)" in lines["malmo"]
    )
    assert (
        "UpstreamAuthError: the platform refused the gateway's API key (HTTP 401)"
        in (lines["lund"])
    )
    for text in (report, caplog.text):
        for secret in (WRONG, SECRET, KEY):
            assert secret not in text


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        (WRONG, "must come from the environment"),
        ("${MALMO_SECRET:-" + WRONG + "}", "must not have a default"),
    ],
)
async def test_a_secret_written_in_the_file_is_refused_without_quoting_it(
    tmp_path: Path, cluster: SimCluster, written: str, fragment: str
) -> None:
    path = federation(tmp_path, cluster, secret=written)
    status, report = await check(path, MALMO_SECRET=SECRET, LUND_KEY=KEY)
    assert status == 1
    assert "cities.malmo.adapter.credentials.oauth2.client_secret" in report
    assert fragment in report
    assert WRONG not in report
    assert "nothing probed" in report


async def test_a_mistake_next_to_a_secret_does_not_show_the_secret(
    tmp_path: Path, cluster: SimCluster
) -> None:
    path = federation(tmp_path, cluster)
    path.write_text(
        path.read_text().replace("client_id: caap", "client_id: caap\n          scope: 42"),
        encoding="utf-8",
    )
    status, report = await check(path, MALMO_SECRET=SECRET, LUND_KEY=KEY)
    assert status == 1
    assert "cities.malmo.adapter.credentials.oauth2.scope" in report
    assert SECRET not in report
