"""Load the world a citysim city serves into a SensorThings server, through its own API.

The same Things, Locations, Datastreams, Sensors, ObservedProperties and
Observations (every bucket of the history) that citysim's SensorThings API
serves for the city (``citysim.sensorthings.graph``), posted as a client would:
Sensors and ObservedProperties first, then one deep insert per Thing (its
Location and Datastreams, each with its Observations). The server gives its own
ids; entities are matched by ``properties/ngsiId``, as the demo maps them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from citysim.cluster import SimSettings
from citysim.sensorthings.graph import Graph, Station, observed_property_id
from citysim.sensorthings.vocabulary import TYPES
from citysim.world.city import CityWorld

CITY = "uppsala"
SEED = 5
PER_TYPE = 6
NOW = 1_795_000_000.0
BUCKET_S = 60.0
"""The world loaded into istSOS4: Uppsala's, 6 entities of each type, the clock frozen."""


def sim_settings(dialect: str = "istsos4") -> SimSettings:
    """A citysim serving exactly the world loaded into istSOS4 (one city, frozen clock)."""
    return SimSettings(
        seed=SEED,
        entities_per_type=PER_TYPE,
        cities=(CITY,),
        clock=lambda: NOW,
        bucket_s=BUCKET_S,
        sensorthings_dialect={CITY: dialect},
    )


@dataclass(frozen=True, slots=True)
class Loaded:
    """What was posted: counts by entity set."""

    things: int
    datastreams: int
    observations: int


def load_world(root: str, world: CityWorld, entity_types: Iterable[str] | None = None) -> Loaded:
    """Post the city's current SensorThings graph (of ``entity_types``; all by default)."""
    graph = Graph(world, world.bucket())
    wanted = set(entity_types) if entity_types is not None else set(TYPES)
    stations = [s for s in graph.stations() if s.entity_type in wanted]
    things = datastreams = observations = 0
    with httpx.Client(base_url=root.rstrip("/") + "/", timeout=60.0) as client:
        sensors = {t: _create(client, "Sensors", graph.sensor(t)) for t in sorted(wanted)}
        quantities = {observed_property_id(q): q for s in stations for q in s.quantities}
        properties = {
            key: _create(
                client,
                "ObservedProperties",
                {"name": q.name, "definition": q.definition, "description": q.description},
            )
            for key, q in quantities.items()
        }
        for station in stations:
            body = _thing(graph, station, sensors[station.entity_type], properties)
            _create(client, "Things", body)
            things += 1
            datastreams += len(body["Datastreams"])
            observations += sum(len(d["Observations"]) for d in body["Datastreams"])
    return Loaded(things, datastreams, observations)


def _thing(
    graph: Graph, station: Station, sensor_id: int, property_ids: dict[int, int]
) -> dict[str, Any]:
    datastreams = []
    for q, quantity in enumerate(station.quantities):
        own = graph.datastream_properties(station, q)
        observations = []
        for bucket in graph.buckets():
            made = graph.observation_properties(station, q, bucket)
            if made["result"] is None:
                continue
            observations.append(
                {
                    "phenomenonTime": made["phenomenonTime"],
                    "resultTime": made["resultTime"],
                    "result": made["result"],
                }
            )
        datastreams.append(
            {
                "name": own["name"],
                "description": own["description"],
                "observationType": own["observationType"],
                "unitOfMeasurement": own["unitOfMeasurement"],
                "Sensor": {"@iot.id": sensor_id},
                "ObservedProperty": {"@iot.id": property_ids[observed_property_id(quantity)]},
                "Observations": observations,
            }
        )
    return {
        **graph.thing(station),
        "Locations": [graph.location(station)],
        "Datastreams": datastreams,
    }


def _create(client: httpx.Client, entity_set: str, body: dict[str, Any]) -> int:
    """POST one entity (deep insert allowed); its new ``@iot.id`` from the Location header."""
    answer = client.post(entity_set, json=body)
    if answer.status_code != 201:
        raise RuntimeError(f"POST {entity_set} answered {answer.status_code}: {answer.text[:500]}")
    location = answer.headers.get("location", "")
    opening = location.rfind("(")
    if opening < 0 or not location.endswith(")"):
        raise RuntimeError(f"POST {entity_set}: no id in the Location header {location!r}")
    return int(location[opening + 1 : -1])
