"""The status page in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

It loads, shows the 18 cities on the map and in the table, and a city whose
platform goes down turns red within a few seconds. The screenshot goes to a
temporary file, or to the path in ``CAAP_STATUS_SCREENSHOT``: ``make screenshot``
sets it to docs/status-page.png (``make test`` leaves tracked files alone).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.support.chromium import chromium_context
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled

SCREENSHOT_VARIABLE = "CAAP_STATUS_SCREENSHOT"
ALL_UP = """() => {
  const dots = [...document.querySelectorAll('circle.city')];
  return dots.length === 18 && dots.every(d => d.dataset.health === 'up');
}"""
KALMAR_DOWN = """() => {
  const dot = document.querySelector('circle.city[data-city="kalmar"]');
  const row = document.querySelector('#cities tr[data-city="kalmar"]');
  return dot?.dataset.health === 'down' && row?.dataset.health === 'down';
}"""


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with chromium_context(tmp_path / "profile", {"width": 1180, "height": 780}) as context:
        yield context.new_page()


def test_status_page_shows_18_cities_and_a_city_that_goes_down_turns_red(
    sim: Sim, tmp_path: Path, page: Page
) -> None:
    path = write_federation(
        tmp_path / "federation.yaml", sim.urls, gateway=unthrottled(timeout_s=1.0)
    )
    with GatewayServer(str(path), status_refresh_s=1.0) as gateway:
        page.goto(f"{gateway.url}/")
        assert page.title() == "caap-gateway · status"
        page.wait_for_function(ALL_UP, timeout=15_000)
        assert page.locator("#cities tbody tr").count() == 18
        assert page.get_attribute("a[href='/graphql']", "href") == "/graphql"
        with sim.fault("kalmar", {"mode": "down"}):
            page.wait_for_function(KALMAR_DOWN, timeout=10_000)
            fill = page.eval_on_selector(
                'circle.city[data-city="kalmar"]', "dot => getComputedStyle(dot).fill"
            )
            assert fill == "rgb(207, 34, 46)"  # --down
            error = page.text_content('#cities tr[data-city="kalmar"] td.error') or ""
            assert error, "the last error is shown"
            others = page.locator("circle.city[data-health='up']").count()
            assert others == 17
            screenshot = Path(os.environ.get(SCREENSHOT_VARIABLE) or tmp_path / "status.png")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
