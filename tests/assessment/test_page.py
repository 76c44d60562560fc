"""``/assessment`` in a real headless Chromium, ``/assessment.json`` and ``/catalogue.ttl``
from a running gateway over the spread federation.

The screenshot goes to a temporary path; ``make assessment-screenshot`` writes the one
in docs/ (``CAAP_ASSESSMENT_SCREENSHOT``), so ``make test`` leaves the tree as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from gateway.assessment import shacl
from tests.support.chromium import chromium_context
from tests.support.gateway_server import GatewayServer


@pytest.fixture(scope="module")
def gateway(spread_federation: Path) -> Iterator[GatewayServer]:
    """A gateway over the spread federation."""
    with GatewayServer(str(spread_federation)) as server:
        yield server


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with chromium_context(tmp_path / "profile", {"width": 1280, "height": 900}) as context:
        yield context.new_page()


def test_the_page_shows_cities_by_checks_and_each_cell_links_to_its_evidence(
    gateway: GatewayServer, page: Page, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.goto(f"{gateway.url}/assessment", timeout=120_000)
    assert page.title() == "Minimum framework assessment"
    assert page.locator("table.matrix tbody tr").count() == 18
    assert page.locator("table.matrix thead th.check").count() == 18
    cell = page.locator("table.matrix tbody tr", has_text="Malmö").locator("td.fail a").first
    target = cell.get_attribute("href") or ""
    assert target.startswith("#e-malmo-")
    cell.click()
    evidence = page.locator(f"article{target}")
    assert evidence.is_visible()
    text = evidence.inner_text()
    assert "Request" in text
    assert "Came back" in text
    assert "Expected" in text
    colour = page.eval_on_selector(
        "table.matrix td.pass", "cell => getComputedStyle(cell).backgroundColor"
    )
    assert colour == "rgb(215, 242, 221)", "the stylesheet applies (CSP allows it)"
    assert errors == []
    shot = Path(os.environ.get("CAAP_ASSESSMENT_SCREENSHOT") or tmp_path / "assessment.png")
    page.goto(f"{gateway.url}/assessment")
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000


def test_the_json_is_the_same_report(gateway: GatewayServer) -> None:
    answer = httpx.get(f"{gateway.url}/assessment.json", timeout=120)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    report = answer.json()
    assert len(report["cities"]) == 18
    assert len(report["checks"]) == 18


def test_the_gateways_catalogue_validates_against_dcat_ap_3_with_no_violation(
    gateway: GatewayServer,
) -> None:
    answer = httpx.get(f"{gateway.url}/catalogue.ttl", timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=answer.content, format="turtle")
    result = shacl.check(graph)
    assert result.violations == ()
    assert result.tolerated == (), "every vocabulary IRI is typed"
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    shared = 18 * 7 + 7 * 2  # seven cities also share OffStreetParking and PointOfInterest
    assert len(datasets) == shared + 1, "every city's datasets and the assessment"
    assert any(str(d).endswith("#assessment") for d in datasets)
