"""For a typed field, every city answers with the same keys, whatever its platform kind.

The demo federation (``federation.yaml``) on the simulated platforms: for each of the
nine typed fields, the nodes of an NGSI-LD, a SensorThings, a Lynx and a REST/JSON
city have the same GraphQL keys (null where a city lacks a value), and a value that
the world gives every kind comes back non-null from every kind. What a platform kind
truly lacks is listed in ``LACKS``, with the reason, and nothing else may be missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLType

from adapters.sdk.models import DATE_OBSERVED
from citysim.lynx.model import DEVICES
from gateway.graphql.schema import build_schema
from tests.integration.test_multi_kind_federation import DEMO, demo_pointed_at
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim
from tools import generate_models

NINE = tuple(m.name for m in generate_models.read_models())
"""The nine typed types (tests/gateway/test_generated_models.py names them)."""
KINDS = ("ngsi-ld", "sensorthings", "lynx", "rest-json")


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    """The demo federation; WaterConsumptionObserved public here (keys, not access, are tested)."""
    path = demo_pointed_at(dict(sim.urls), tmp_path_factory.mktemp("keys") / "federation.yaml")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for city in document["cities"].values():
        datasets = dict(city["datasets"])
        datasets["WaterConsumptionObserved"] = {"access": "public"}
        city["datasets"] = datasets
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    with GatewayServer(str(path)) as server:
        yield server


def _named(t: GraphQLType) -> GraphQLType:
    return t.of_type if isinstance(t, GraphQLNonNull) else t


def selection(type_name: str) -> list[str]:
    """Every field of the generated node type, objects with their leaves."""
    node = build_schema()._schema.type_map[type_name]
    assert isinstance(node, GraphQLObjectType)
    fields = []
    for name, field in node.fields.items():
        kind = _named(field.type)
        if name == "city":
            fields.append("city { id platform { kind } }")
        elif isinstance(kind, GraphQLObjectType):
            fields.append(f"{name} {{ {' '.join(kind.fields)} }}")
        elif name != "attributes":
            fields.append(name)
    return fields


def sharing(type_name: str) -> list[str]:
    """The demo cities that share ``type_name`` (the others refuse it, FORBIDDEN)."""
    document = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    return [city for city, c in document["cities"].items() if type_name in c["datasets"]]


def nodes_by_kind(gateway: GatewayServer, type_name: str) -> dict[str, list[dict[str, Any]]]:
    root = type_name[0].lower() + type_name[1:]
    cities = ", ".join(f'"{c}"' for c in sharing(type_name))
    fields = " ".join(selection(type_name))
    query = f"{{ {root}(first: 1000, filter: {{cities: [{cities}]}}) {{ nodes {{ {fields} }} }} }}"
    response = httpx.post(f"{gateway.url}/graphql", json={"query": query}, timeout=60)
    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body, body.get("errors")
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for node in body["data"][root]["nodes"]:
        by_kind.setdefault(node["city"]["platform"]["kind"], []).append(node)
    return by_kind


def graphql_names(type_name: str) -> dict[str, str]:
    """Smart Data Models attribute -> its GraphQL field in the generated type."""
    (model,) = (m for m in generate_models.read_models() if m.name == type_name)
    return {f.attribute: f.graphql or generate_models.camel_case(f.python) for f in model.fields}


def every_kind_publishes(type_name: str) -> set[str]:
    """What the world gives every kind (GraphQL names): the smallest platform (Lynx) publishes
    its functions' attributes and their time (``dateObserved`` where the model has one)."""
    attributes = {kind.attribute for kind in DEVICES[type_name][1]}
    attributes |= {"dateObserved"} if type_name in DATE_OBSERVED else set()
    names = graphql_names(type_name)
    return {names[a] for a in attributes}


LACKS: dict[tuple[str, str], set[str]] = {
    ("lynx", "*"): {"address", "source"},
    ("rest-json", "WeatherObserved"): {"address", "source"},
    ("rest-json", "AirQualityObserved"): {"address", "source"},
}
"""(kind, type) -> which of the issue's three attributes (and ``location``) the platform truly
lacks: a Lynx
device has a name and a position only; the REST/JSON API's bespoke weather and air
quality items have no address and no source."""


@pytest.mark.parametrize("type_name", NINE)
def test_every_kind_answers_with_the_same_keys(gateway: GatewayServer, type_name: str) -> None:
    by_kind = nodes_by_kind(gateway, type_name)
    assert set(by_kind) == set(KINDS), f"{type_name} is not served by every kind"
    keys = {frozenset(n) for nodes in by_kind.values() for n in nodes}
    assert len(keys) == 1, f"{type_name}: nodes with different keys"
    present = {
        kind: {k for n in nodes for k, v in n.items() if v is not None}
        for kind, nodes in by_kind.items()
    }
    published = every_kind_publishes(type_name)
    missing = {kind: sorted(published - names) for kind, names in present.items()}
    assert missing == {kind: [] for kind in KINDS}, type_name
    had = set().union(*present.values()) & {"address", "dateObserved", "location", "source"}
    lacking = {
        kind: sorted(
            had - names - LACKS.get((kind, "*"), set()) - LACKS.get((kind, type_name), set())
        )
        for kind, names in present.items()
    }
    assert lacking == {kind: [] for kind in KINDS}, type_name


def test_a_typed_where_is_checked_and_answered(gateway: GatewayServer) -> None:
    """A typed ``where`` passes the schema and the conversion; a date-time without a zone is
    refused naming the field (the filtering itself is the generic where's, issue 14 item 1)."""
    ok = """{ offStreetParking(filter: {cities: ["malmo"]}, where: {availableSpotNumber: {gte: 0},
        occupancy: {lte: 1.0}, name: {contains: "malm"}}) { nodes { id availableSpotNumber } } }"""
    body = httpx.post(f"{gateway.url}/graphql", json={"query": ok}, timeout=60).json()
    assert "errors" not in body, body.get("errors")
    assert body["data"]["offStreetParking"]["nodes"]
    naive = """{ weatherObserved(where: {dateObserved: {lt: "2026-11-25T10:00:00"}}) {
        nodes { id } } }"""
    body = httpx.post(f"{gateway.url}/graphql", json={"query": naive}, timeout=60).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("where.dateObserved.lt: give a time zone")


def test_a_typed_field_takes_the_order_of_entities(gateway: GatewayServer) -> None:
    """``orderBy`` on a generated field: car parks with the most free spots first."""
    query = """{ offStreetParking(filter: {cities: ["kalmar", "goteborg"]}, first: 30,
        orderBy: {by: ATTRIBUTE, attribute: "availableSpotNumber", direction: DESC}) {
        nodes { availableSpotNumber } } }"""
    body = httpx.post(f"{gateway.url}/graphql", json={"query": query}, timeout=60).json()
    assert "errors" not in body, body.get("errors")
    free = [n["availableSpotNumber"] for n in body["data"]["offStreetParking"]["nodes"]]
    assert len(free) == 24
    assert free == sorted(free, reverse=True)
