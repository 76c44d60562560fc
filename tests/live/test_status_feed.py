"""The status page's live feed (issue 15, item 7) in a real headless Chromium: it subscribes
over graphql-sse, and every city's changes flash its dot and head the feed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.live.conftest import LiveWorld
from tests.live.hub_probe import all_primed
from tests.support.chromium import chromium_context
from tests.support.gateway_server import GatewayServer
from tests.support.waiting import wait_until

CITIES = 18
EVERY_CITY_FLASHED = """() => {
  const dots = [...document.querySelectorAll('circle.city')];
  return dots.length === 18 && dots.every(d => Number(d.dataset.events || 0) > 0);
}"""


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with chromium_context(tmp_path / "profile", {"width": 1180, "height": 900}) as context:
        yield context.new_page()


def test_the_status_page_shows_every_citys_changes_as_they_come(
    live_world: LiveWorld, page: Page, tmp_path: Path
) -> None:
    before = live_world.subscriptions()
    with GatewayServer(str(live_world.federation), live_poll_s=0.2) as gateway:
        page.goto(f"{gateway.url}/")
        page.wait_for_function("() => document.body.dataset.live === 'open'", timeout=30_000)
        wait_until(lambda: all_primed(gateway, CITIES), 60, "every city's stream has a baseline")
        wait_until(
            lambda: live_world.subscribed_since(before, live_world.sim.urls),
            60,
            "every city's broker holds the gateway's subscription",
        )
        live_world.change()
        page.wait_for_function(EVERY_CITY_FLASHED, timeout=60_000)
        lines = page.locator("#feed li.change")
        assert lines.count() == 20  # the feed keeps the latest 20
        assert "(push)" in (lines.first.text_content() or "")
        assert page.text_content("#live-status") == "live: WeatherObserved"
        page.screenshot(path=str(tmp_path / "live.png"), full_page=True)
