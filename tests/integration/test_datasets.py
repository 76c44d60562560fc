"""``datasets`` end to end: the demo federation's 18 catalogues (DCAT-AP-SE and CKAN) on the
simulated platforms, through the real gateway over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from citysim.dcat.records import records
from citysim.municipalities import municipalities
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim

ROOT = Path(__file__).resolve().parents[2]
SEED = 2026  # the session sim's
DATASETS = """
query($search: String, $cities: [ID!], $first: Int, $after: String) {
  datasets(search: $search, cities: $cities, first: $first, after: $after) {
    nodes { id title description city { id } distributions { accessURL format } }
    pageInfo { hasNextPage endCursor }
    coverage { city { id } status count message stale }
  }
}
"""
_SIM_URL = re.compile(r"http://\$\{CAAP_SIM_HOST:-127\.0\.0\.1\}:(91\d\d)")


def demo_federation(
    path: Path, urls: dict[str, str], edit: Callable[[dict[str, Any]], None] | None = None
) -> Path:
    """federation.yaml with each city's platform moved to where the sim runs it."""
    ids = [m.id for m in municipalities()]
    text = (ROOT / "federation.yaml").read_text(encoding="utf-8")
    text = _SIM_URL.sub(lambda m: urls[ids[int(m[1]) - 9101]], text)
    document = yaml.safe_load(text)
    # far above what a healthy city needs on a loaded machine
    document["gateway"] = {"timeout_s": 10.0, "deadline_s": 20.0}
    if edit is not None:
        edit(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    path = demo_federation(tmp_path_factory.mktemp("fed") / "federation.yaml", dict(sim.urls))
    with GatewayServer(str(path)) as server:
        yield server


def ask(gw: GatewayServer, query: str = DATASETS, **variables: Any) -> Any:
    response = httpx.post(
        f"{gw.url}/graphql", json={"query": query, "variables": variables}, timeout=30
    )
    assert response.status_code == 200
    return response.json()


def all_titles() -> list[tuple[str, str]]:
    """(title, city id) of every dataset of every simulated catalogue, in the gateway's order."""
    found = [(r.title, m.id) for m in municipalities() for r in records(m, SEED)]
    return sorted(found, key=lambda t: (t[0].casefold(), t[1]))


def every_page(gw: GatewayServer, first: int, **variables: Any) -> Iterator[Any]:
    """Each page of ``datasets``, following the cursors."""
    after = None
    for _ in range(100):
        body = ask(gw, first=first, after=after, **variables)
        assert "errors" not in body, body["errors"]
        page = body["data"]["datasets"]
        yield page
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("paging did not end")


def test_every_citys_catalogue_answers(gateway: GatewayServer) -> None:
    pages = list(every_page(gateway, 100))
    nodes = [n for page in pages for n in page["nodes"]]
    coverage = pages[0]["coverage"]
    assert [c["status"] for c in coverage] == ["OK"] * 18
    assert {n["city"]["id"] for n in nodes} == {m.id for m in municipalities()}
    assert sum(c["count"] for c in coverage) == len(nodes)
    assert [(n["title"], n["city"]["id"]) for n in nodes] == all_titles()


def test_a_search_finds_the_dataset_in_all_18_catalogues(gateway: GatewayServer) -> None:
    result = ask(gateway, search="Luftkvalitet", first=100)["data"]["datasets"]
    assert sorted(n["title"] for n in result["nodes"]) == sorted(
        f"Luftkvalitet i {m.name}" for m in municipalities()
    )
    assert [c["count"] for c in result["coverage"]] == [1] * 18
    node = next(n for n in result["nodes"] if n["city"]["id"] == "lund")  # a CKAN city
    assert [d["format"] for d in node["distributions"]] == ["JSON-LD", "JSON"]
    assert node["distributions"][1]["accessURL"].endswith("/api/airquality")


def test_every_word_of_a_search_must_match(gateway: GatewayServer) -> None:
    result = ask(gateway, search="trafik  FORDON", first=100)["data"]["datasets"]
    assert {n["title"].split(" i ")[0] for n in result["nodes"]} == {"Trafikflöden"}
    assert ask(gateway, search="trafik budget")["data"]["datasets"]["nodes"] == []


def test_paging_has_no_duplicate_and_no_gap(gateway: GatewayServer) -> None:
    pages = list(every_page(gateway, 23))
    seen = [(n["title"], n["city"]["id"]) for page in pages for n in page["nodes"]]
    assert seen == all_titles()
    assert len(pages) > 5


def test_cities_narrows_the_scope(gateway: GatewayServer) -> None:
    result = ask(gateway, cities=["umea", "lund", "umea"], first=100)["data"]["datasets"]
    assert [c["city"]["id"] for c in result["coverage"]] == ["umea", "lund"]
    assert {n["city"]["id"] for n in result["nodes"]} == {"umea", "lund"}


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [
        ({"cities": ["atlantis"]}, "cities: unknown city id 'atlantis'"),
        ({"first": 1001}, "first: 1001 is outside 0..1000"),
        ({"after": "garbage"}, "after: malformed cursor"),
        ({"search": "x" * 201}, "search: at most 200 characters"),
    ],
)
def test_bad_input_is_refused(
    gateway: GatewayServer, variables: dict[str, Any], fragment: str
) -> None:
    body = ask(gateway, **variables)
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in body["errors"][0]["message"]


def test_a_cursor_of_another_search_is_refused(gateway: GatewayServer) -> None:
    cursor = ask(gateway, search="badplatser", first=2)["data"]["datasets"]["pageInfo"]["endCursor"]
    body = ask(gateway, search="cykel", after=cursor)
    assert "different query" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("city", "fault", "status", "code"),
    [
        ("lund", {"mode": "error", "status": 500}, "FAILED", "UPSTREAM_ERROR"),  # CKAN
        ("malmo", {"mode": "garbage"}, "FAILED", "UPSTREAM_ERROR"),  # DCAT-AP-SE
        ("umea", {"mode": "down"}, "UNAVAILABLE", "UPSTREAM_UNAVAILABLE"),
    ],
)
def test_a_failing_catalogue_gives_a_partial_result(
    gateway: GatewayServer, sim: Sim, city: str, fault: dict[str, Any], status: str, code: str
) -> None:
    with sim.fault(city, fault):
        body = ask(gateway, search="badplatser turism", first=100)
    result = body["data"]["datasets"]
    by_city = {c["city"]["id"]: c for c in result["coverage"]}
    assert by_city[city]["status"] == status
    assert by_city[city]["message"]
    assert sum(c["status"] == "OK" for c in by_city.values()) == 17
    assert len(result["nodes"]) == 17
    assert body["errors"] == [
        {
            "message": body["errors"][0]["message"],
            "path": ["datasets"],
            "extensions": {"code": code, "city": city},
        }
    ]


def test_a_city_without_catalogue_is_unsupported(sim: Sim, tmp_path: Path) -> None:
    def drop(document: dict[str, Any]) -> None:
        del document["cities"]["kalmar"]["catalogue"]

    path = demo_federation(tmp_path / "federation.yaml", dict(sim.urls), drop)
    with GatewayServer(str(path)) as gw:
        body = ask(gw, cities=["kalmar", "lund"], search="väder")
    coverage = body["data"]["datasets"]["coverage"]
    assert [(c["city"]["id"], c["status"]) for c in coverage] == [
        ("kalmar", "UNSUPPORTED"),
        ("lund", "OK"),
    ]
    assert "no catalogue" in coverage[0]["message"]
    assert "errors" not in body


def test_a_catalogue_of_an_entity_kind_is_refused_at_load(sim: Sim, tmp_path: Path) -> None:
    from adapters.registry import AdapterRegistry
    from gateway.federation import FederationError, load_federation

    def wrong(document: dict[str, Any]) -> None:
        document["cities"]["kalmar"]["catalogue"] = {"kind": "ngsi-ld", "url": "http://x"}

    path = demo_federation(tmp_path / "federation.yaml", dict(sim.urls), wrong)
    with pytest.raises(FederationError, match=r"cities\.kalmar\.catalogue\.kind.*not a catalogue"):
        load_federation(str(path), AdapterRegistry.from_entry_points())
