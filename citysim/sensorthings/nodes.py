"""Entities of the SensorThings data model as nodes: own properties and navigation.

``Node`` wraps one entity of a ``Graph``: its entity type (``Thing``, ...), its
``@iot.id``, its properties and its navigation properties (to one node, or to a
list of nodes). Entity sets (``Things``, ...) list every node of a type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from citysim.sensorthings.graph import Graph, Station, observed_property_id
from citysim.sensorthings.vocabulary import QUANTITIES, TYPES

ENTITY_SETS: Mapping[str, str] = {
    "Things": "Thing",
    "Locations": "Location",
    "HistoricalLocations": "HistoricalLocation",
    "Datastreams": "Datastream",
    "Sensors": "Sensor",
    "ObservedProperties": "ObservedProperty",
    "Observations": "Observation",
    "FeaturesOfInterest": "FeatureOfInterest",
}
"""Entity set name -> entity type."""

NAVIGATION: Mapping[str, Mapping[str, tuple[str, bool]]] = {
    "Thing": {
        "Locations": ("Location", True),
        "HistoricalLocations": ("HistoricalLocation", True),
        "Datastreams": ("Datastream", True),
    },
    "Location": {"Things": ("Thing", True), "HistoricalLocations": ("HistoricalLocation", True)},
    "HistoricalLocation": {"Thing": ("Thing", False), "Locations": ("Location", True)},
    "Datastream": {
        "Thing": ("Thing", False),
        "Sensor": ("Sensor", False),
        "ObservedProperty": ("ObservedProperty", False),
        "Observations": ("Observation", True),
    },
    "Sensor": {"Datastreams": ("Datastream", True)},
    "ObservedProperty": {"Datastreams": ("Datastream", True)},
    "Observation": {
        "Datastream": ("Datastream", False),
        "FeatureOfInterest": ("FeatureOfInterest", False),
    },
    "FeatureOfInterest": {"Observations": ("Observation", True)},
}
"""Entity type -> navigation property -> (target type, to many)."""

SET_OF: Mapping[str, str] = {entity_type: name for name, entity_type in ENTITY_SETS.items()}
TIME_PROPERTIES = frozenset({"phenomenonTime", "resultTime", "validTime", "time"})


@dataclass(frozen=True, slots=True)
class Node:
    """One entity: type, id, and what locates it in the graph."""

    graph: Graph
    type: str
    id: int
    station: Station | None = None
    quantity: int = 0
    bucket: int = 0

    def properties(self) -> dict[str, Any]:
        """Own properties, without ``@iot.id`` and links."""
        g, s = self.graph, self.station
        if self.type == "Thing" and s is not None:
            return g.thing(s)
        if self.type == "Location" and s is not None:
            return g.location(s)
        if self.type == "HistoricalLocation" and s is not None:
            return g.historical_location(s)
        if self.type == "FeatureOfInterest" and s is not None:
            return g.feature(s)
        if self.type == "Datastream" and s is not None:
            return g.datastream_properties(s, self.quantity)
        if self.type == "Observation" and s is not None:
            return g.observation_properties(s, self.quantity, self.bucket)
        if self.type == "Sensor":
            return g.sensor(TYPES[self.id - 1])
        quantity = g.observed_properties()[self.id - 1]
        return {
            "name": quantity.name,
            "definition": quantity.definition,
            "description": quantity.description,
        }

    def navigate(self, name: str) -> Node | list[Node] | None:
        """The node(s) behind navigation property ``name`` (which must exist for this type)."""
        return _NAVIGATORS[(self.type, name)](self)


def all_nodes(graph: Graph, entity_type: str) -> list[Node]:
    """Every node of ``entity_type``, by id."""
    stations = list(graph.stations())
    if entity_type in ("Thing", "Location", "HistoricalLocation", "FeatureOfInterest"):
        return [Node(graph, entity_type, s.id, s) for s in stations]
    if entity_type == "Datastream":
        return [d for s in stations for d in _datastreams(graph, s)]
    if entity_type == "Observation":
        return [o for s in stations for d in _datastreams(graph, s) for o in _observations(d)]
    if entity_type == "Sensor":
        return [Node(graph, "Sensor", t + 1) for t in range(len(TYPES))]
    return [Node(graph, "ObservedProperty", i + 1) for i in range(len(graph.observed_properties()))]


def find(graph: Graph, entity_type: str, node_id: int) -> Node | None:
    """The node of ``entity_type`` with ``node_id``, or None."""
    if entity_type in ("Thing", "Location", "HistoricalLocation", "FeatureOfInterest"):
        station = graph.station(node_id)
        return Node(graph, entity_type, node_id, station) if station is not None else None
    if entity_type == "Datastream":
        found = graph.datastream(node_id)
        return Node(graph, "Datastream", node_id, found[0], found[1]) if found else None
    if entity_type == "Observation":
        located = graph.observation(node_id)
        if located is None:
            return None
        datastream = find(graph, "Datastream", located[0])
        assert datastream is not None
        return _observation(datastream, located[1])
    if entity_type == "Sensor":
        return Node(graph, "Sensor", node_id) if 1 <= node_id <= len(TYPES) else None
    count = len(graph.observed_properties())
    return Node(graph, "ObservedProperty", node_id) if 1 <= node_id <= count else None


def _datastreams(graph: Graph, station: Station) -> list[Node]:
    ids = graph.datastream_ids(station)
    return [Node(graph, "Datastream", d, station, q) for q, d in enumerate(ids)]


def _observation(datastream: Node, bucket: int) -> Node:
    from citysim.sensorthings.graph import OBSERVATION_BASE

    return Node(
        datastream.graph,
        "Observation",
        datastream.id * OBSERVATION_BASE + bucket % OBSERVATION_BASE,
        datastream.station,
        datastream.quantity,
        bucket,
    )


def _observations(datastream: Node) -> list[Node]:
    return [_observation(datastream, b) for b in datastream.graph.buckets()]


def _same_station(kind: str) -> Callable[[Node], Node]:
    return lambda n: Node(n.graph, kind, n.id if n.station is None else n.station.id, n.station)


def _datastream_of(n: Node) -> Node:
    assert n.station is not None
    return Node(
        n.graph, "Datastream", n.graph.datastream_ids(n.station)[n.quantity], n.station, n.quantity
    )


def _sensor_of(n: Node) -> Node:
    assert n.station is not None
    return Node(n.graph, "Sensor", TYPES.index(n.station.entity_type) + 1)


def _observed_property_of(n: Node) -> Node:
    assert n.station is not None
    quantity = n.station.quantities[n.quantity]
    return Node(n.graph, "ObservedProperty", observed_property_id(quantity))


def _datastreams_of_sensor(n: Node) -> list[Node]:
    entity_type = TYPES[n.id - 1]
    return [
        d
        for s in n.graph.stations()
        if s.entity_type == entity_type
        for d in _datastreams(n.graph, s)
    ]


def _datastreams_of_property(n: Node) -> list[Node]:
    name = n.graph.observed_properties()[n.id - 1].name
    return [
        d
        for s in n.graph.stations()
        if any(q.name == name for q in QUANTITIES[s.entity_type])
        for d in _datastreams(n.graph, s)
        if s.quantities[d.quantity].name == name
    ]


def _observations_of_feature(n: Node) -> list[Node]:
    assert n.station is not None
    return [o for d in _datastreams(n.graph, n.station) for o in _observations(d)]


_NAVIGATORS: Mapping[tuple[str, str], Callable[[Node], Node | list[Node] | None]] = {
    ("Thing", "Locations"): lambda n: [_same_station("Location")(n)],
    ("Thing", "HistoricalLocations"): lambda n: [_same_station("HistoricalLocation")(n)],
    ("Thing", "Datastreams"): lambda n: _datastreams(n.graph, n.station) if n.station else [],
    ("Location", "Things"): lambda n: [_same_station("Thing")(n)],
    ("Location", "HistoricalLocations"): lambda n: [_same_station("HistoricalLocation")(n)],
    ("HistoricalLocation", "Thing"): _same_station("Thing"),
    ("HistoricalLocation", "Locations"): lambda n: [_same_station("Location")(n)],
    ("Datastream", "Thing"): _same_station("Thing"),
    ("Datastream", "Sensor"): _sensor_of,
    ("Datastream", "ObservedProperty"): _observed_property_of,
    ("Datastream", "Observations"): _observations,
    ("Sensor", "Datastreams"): _datastreams_of_sensor,
    ("ObservedProperty", "Datastreams"): _datastreams_of_property,
    ("Observation", "Datastream"): _datastream_of,
    ("Observation", "FeatureOfInterest"): _same_station("FeatureOfInterest"),
    ("FeatureOfInterest", "Observations"): _observations_of_feature,
}
